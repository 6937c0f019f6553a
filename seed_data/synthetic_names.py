"""Name pools for synthetic specialists, with the languages each pool's bearers tend to speak.

A pool is a rough heritage group; its weight varies by state (more Spanish speakers in Texas,
more Vietnamese in California) so languages in the directory follow the map the way real ones do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seed_data.synthetic_geo import STATES, cumulative


@dataclass(frozen=True)
class NamePool:
    """First names by sex, surnames, and the chance of each extra consultation language."""

    key: str
    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    languages: dict[str, float]
    state_boost: dict[str, float]


def _pool(key, weight, female, male, surnames, languages, boost=None) -> NamePool:
    return NamePool(
        key, weight, tuple(female.split()), tuple(male.split()), tuple(surnames.split()), languages, boost or {}
    )


POOLS: tuple[NamePool, ...] = (
    _pool(
        "general",
        0.62,
        "Mary Jennifer Elizabeth Sarah Emily Jessica Rachel Laura Megan Anna Katherine Rebecca Amanda Hannah "
        "Julia Claire Lauren Allison Caroline Natalie Olivia Grace Abigail Margaret Kimberly Danielle Erin "
        "Heather Monica Keisha Aaliyah Jasmine Imani Naomi Ruth",
        "James John Robert Michael William David Richard Joseph Thomas Daniel Matthew Andrew Christopher "
        "Brian Kevin Jonathan Benjamin Samuel Nathan Patrick Ryan Eric Gregory Stephen Peter Paul Mark Scott "
        "Adam Jeffrey Marcus Darnell Andre Terrence Malik Jamal",
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Martin "
        "Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker "
        "Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Morris "
        "Murphy Cook Rogers Morgan Cooper Peterson Bailey Reed Kelly Howard Ward Richardson Watson Brooks "
        "Bennett Gray Hughes Price Sanders Myers Ross Foster Powell Jenkins Russell Sullivan Bell Coleman "
        "Henderson Barnes Fisher Schmidt Mueller Weber Becker Hoffman Schneider Meyer Wagner Olsen Larsen "
        "Johansson O'Brien O'Connor Kennedy Walsh Byrne Rossi Russo Romano Esposito Ricci Greco Kowalski Nowak "
        "Cohen Levy Friedman Goldberg Katz Shapiro Rosen Stein Klein Weiss",
        {"es": 0.08, "fr": 0.02, "de": 0.012, "it": 0.01, "he": 0.005, "pl": 0.005},
    ),
    _pool(
        "hispanic",
        0.10,
        "Maria Ana Sofia Isabella Camila Valentina Lucia Gabriela Daniela Carolina Fernanda Mariana Andrea "
        "Paula Adriana Veronica Alejandra Patricia Rosa Elena",
        "Jose Luis Carlos Juan Miguel Jorge Alejandro Diego Javier Ricardo Fernando Rafael Eduardo Andres "
        "Manuel Antonio Francisco Sergio Raul Pablo",
        "Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera Gomez "
        "Diaz Reyes Morales Cruz Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza Castillo Jimenez Moreno "
        "Romero Herrera Medina Aguilar Vargas Castro Vasquez Fernandez Guerrero Rojas Delgado Soto Contreras",
        {"es": 0.82, "pt": 0.02},
        {"TX": 3, "CA": 3, "FL": 3, "NM": 4, "AZ": 2.5, "NV": 2, "NY": 1.8, "NJ": 2, "IL": 1.6, "CO": 1.8, "PR": 15},
    ),
    _pool(
        "south_asian",
        0.08,
        "Priya Anjali Neha Pooja Divya Kavya Shreya Ananya Meera Lakshmi Sunita Deepa Aarti Nisha Radhika "
        "Swati Fatima Ayesha Sana Zainab",
        "Rahul Amit Vikram Sanjay Arjun Rohan Anil Rajesh Suresh Vivek Nikhil Ashok Karthik Ravi Sameer Imran "
        "Asif Farhan Omar Bilal",
        "Patel Shah Sharma Singh Kumar Gupta Reddy Rao Mehta Desai Joshi Iyer Nair Menon Chatterjee Banerjee "
        "Mukherjee Das Bose Kapoor Malhotra Agarwal Verma Srinivasan Krishnan Subramanian Pillai Chaudhry Khan "
        "Ahmed Qureshi Siddiqui Hussain Rahman",
        {"hi": 0.45, "ur": 0.1, "gu": 0.1, "bn": 0.05, "ta": 0.05, "te": 0.05, "pa": 0.05},
        {"NJ": 2, "NY": 1.5, "TX": 1.4, "CA": 1.3, "IL": 1.3},
    ),
    _pool(
        "chinese",
        0.05,
        "Wei Mei Ling Xiao Jing Yan Hui Na Ying Fang Hong Min Jia Lan Jennifer Michelle Grace Amy",
        "Wei Jian Hao Jun Ming Lei Tao Yong Bo Feng Gang Qiang Kai Kevin Eric Andrew Jason",
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang Xie "
        "Tang Han Cao Deng Chan Wong Lee Cheung Lau Ho Ng Leung Tsang",
        {"zh": 0.65},
        {"CA": 2.5, "NY": 2, "MA": 1.6, "WA": 1.6, "NJ": 1.5},
    ),
    _pool(
        "vietnamese",
        0.02,
        "Linh Thao Huong Mai Trang Lan Ngoc Phuong Hanh Thu Anh Nhung Thuy Hoa",
        "Minh Tuan Duc Hung Quang Long Thanh Hai Khoa Nam Phuc Dung Bao Tri Vinh",
        "Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ngo Duong Ly",
        {"vi": 0.7, "fr": 0.03},
        {"CA": 3, "TX": 2, "WA": 2, "LA": 1.5},
    ),
    _pool(
        "korean",
        0.02,
        "Ji-yeon Min-ji Seo-yeon Soo-jin Hye-jin Eun-ji Yu-na Ji-woo Ha-eun Su-bin",
        "Min-jun Seo-jun Ji-hoon Hyun-woo Jae-won Sung-min Dong-hyun Joon-ho Tae-yang Young-ho",
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Yoo Hong",
        {"ko": 0.65},
        {"CA": 2, "NY": 1.8, "NJ": 2.5},
    ),
    _pool(
        "filipino",
        0.02,
        "Maria Cristina Marites Rowena Liza Jocelyn Joy Angelica Rhea Catherine",
        "Jose Ramon Rodrigo Emmanuel Noel Ronaldo Rommel Jerome Arnel Danilo",
        "Santos Reyes Cruz Bautista Ocampo Mendoza Villanueva Delacruz Aquino Castillo Soriano Manalo "
        "Pascual Navarro Domingo Salazar Mercado",
        {"tl": 0.6, "es": 0.05},
        {"CA": 2.5, "HI": 6, "NV": 2.5},
    ),
    _pool(
        "arabic",
        0.02,
        "Fatima Layla Mariam Noor Rana Hala Dina Yasmin Salma Hiba Leila Amira",
        "Ahmed Mohammed Omar Ali Khalid Hassan Youssef Karim Samir Tarek Walid Nabil",
        "Haddad Khoury Nassar Saleh Mansour Hamdan Aziz Farah Darwish Hakim Jaber Karam Sabbagh Najjar Awad "
        "Barakat Abboud Shamoun",
        {"ar": 0.65, "fr": 0.1},
        {"MI": 4, "NJ": 1.5},
    ),
    _pool(
        "russian",
        0.02,
        "Anna Olga Natalia Elena Irina Tatiana Svetlana Yulia Ekaterina Oksana Galina",
        "Alexei Dmitri Sergei Andrei Mikhail Ivan Nikolai Pavel Vladimir Yuri Igor Oleg",
        "Ivanov Smirnov Kuznetsov Popov Volkov Sokolov Lebedev Kozlov Novikov Morozov Petrov Pavlov Orlov "
        "Shevchenko Kovalenko Bondarenko Tkachenko Kravets",
        {"ru": 0.65, "uk": 0.1},
        {"NY": 2.5, "NJ": 2},
    ),
    _pool(
        "west_african",
        0.015,
        "Chioma Ngozi Adaeze Funmilayo Amara Ifeoma Yetunde Abena",
        "Chinedu Emeka Babatunde Tunde Obinna Chukwuemeka Adebayo Kwame",
        "Okafor Adeyemi Okonkwo Eze Nwosu Obi Balogun Ogunleye Akinola Uzoma Ibe Chukwu Mensah Owusu",
        {"yo": 0.2, "ig": 0.2, "fr": 0.05},
        {"TX": 1.5, "MD": 2, "NY": 1.3},
    ),
    _pool(
        "brazilian_portuguese",
        0.006,
        "Ana Beatriz Juliana Fernanda Larissa Leticia Renata",
        "Joao Pedro Lucas Gustavo Thiago Bruno Rodrigo",
        "Silva Santos Oliveira Souza Pereira Costa Almeida Carvalho Ferreira Lima Ribeiro Barbosa Teixeira",
        {"pt": 0.75, "es": 0.2},
        {"MA": 4, "RI": 4, "NJ": 1.5, "FL": 1.5},
    ),
    _pool(
        "haitian",
        0.006,
        "Marie Nadege Fabienne Roseline Guerline Nathalie Sabine Claudette",
        "Jean Pierre Jacques Frantz Reginald Stanley Wilner Emmanuel",
        "Pierre Joseph Baptiste Charles Louis Etienne Dorsainvil Toussaint Celestin Valcourt Desir Augustin",
        {"fr": 0.6, "ht": 0.5},
        {"FL": 3, "NY": 2.5, "MA": 2},
    ),
    _pool(
        "japanese",
        0.005,
        "Yuki Aiko Haruka Emi Sakura Keiko",
        "Hiroshi Takashi Kenji Daisuke Yusuke Kenta",
        "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato",
        {"ja": 0.5},
        {"HI": 8, "CA": 2},
    ),
)
# Extra languages in a fixed order: a specialist's i-th language flag is LANGUAGES[i].
LANGUAGES: tuple[str, ...] = tuple(dict.fromkeys(lang for pool in POOLS for lang in pool.languages))


def pool_cdf_by_state() -> np.ndarray:
    """(state, pool) cumulative probabilities of a specialist's name pool in each state."""
    weights = np.array([[pool.weight * pool.state_boost.get(state, 1.0) for pool in POOLS] for state in STATES])
    return cumulative(weights, axis=1)


def language_probabilities() -> np.ndarray:
    """(pool, language) chance that a specialist of the pool consults in each extra language."""
    return np.array([[pool.languages.get(lang, 0.0) for lang in LANGUAGES] for pool in POOLS])
