/* The near half of a match in one pass over the rows of a circle's grid cells.
 *
 * search.backends.query.SegmentSearch.near and the counting half of .scored take about ten numpy
 * passes over every row of the searched box (170,000-430,000 rows within 200 miles of New York at
 * 1M specialists), each allocating its own temporary. Here each row is read once: qualifying
 * (flags), live, left to telehealth, inside the radius, speaks a language, not excluded, covered;
 * each qualifying specialist is counted once, by standing tier (scan_box, then scan_count). `pick`
 * then keeps the rows of the tiers that can reach the top, with their dot products and in-network
 * bits. Beside it, the other per-row loops numpy did slowly: the circle's cell runs, treating flags
 * by profile, and the telehealth pool (qualifying_specialists, count_covered).
 *
 * Plain C99, no Python API: cffi compiles it at install (search/backends/native/build.py), and
 * search/backends/native/scan.py is the only caller. The numpy path stays the reference the
 * tests hold this to (tests/search/test_native_scan.py).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scan.h"

#define ROW_MASK ((INT64_C(1) << FLAGS_SHIFT) - 1)

/* The standing tier of a row's specialist: tier_of[profile * 4 + (flags & 2) + expert], or SCAN_PLAIN_TIER
 * without a table. */
static inline int tier_of_row(const struct scan_query *q, int64_t row, int64_t sp, int flags) {
    if (q->tier_of == NULL) {
        return SCAN_PLAIN_TIER;
    }
    int expert = q->expert != NULL ? (q->expert[sp] != 0) : 0;
    return q->tier_of[(int64_t)q->doc_profile[row] * 4 + (flags & 2) + expert];
}

static inline int covered(const struct scan_query *q, int64_t row, int traits) {
    int self_pay = (traits & TRAIT_SELF_PAY) != 0;
    switch (q->coverage) { /* the same for every row of a match: predicted */
    case COVER_IN_NETWORK_OR_SELF_PAY:
        return ((q->plan_bits[row >> 3] >> (row & 7)) & 1) | self_pay;
    case COVER_SELF_PAY:
        return self_pay;
    default:
        return 1;
    }
}

static inline double dot_of(const struct scan_query *q, int64_t row) {
    const double *u = q->unit + 3 * row;
    return u[0] * q->x + u[1] * q->y + u[2] * q->z;
}

/* Appends the rows of [a, b) whose specialist qualifies, is live and is not left to telehealth; with
 * `test`, only those within the radius, and those too close to it to tell to `edges` instead. */
static inline int64_t qualifying(const struct scan_query *q, int64_t a, int64_t b, int test, int64_t *out,
                                 int64_t n, struct edge_rows *edges) {
    for (int64_t row = a; row < b; row++) {
        int64_t sp = q->doc_sp[row];
        int flags = q->flags[sp];
        int ok = (flags != 0) & (q->live[row] != 0);
        if (q->remote != NULL) { /* left to telehealth, but marked as close */
            int remote = ok & (q->remote[sp] != 0);
            q->boxed[sp] |= (uint8_t)remote;
            ok &= !remote;
        }
        int64_t entry = row | ((int64_t)flags << FLAGS_SHIFT);
        if (test) {
            double d = dot_of(q, row);
            int edge = ok & (fabs(d - q->cos_r) < q->boundary);
            edges->rows[edges->n < edges->room ? edges->n : edges->room] = entry; /* room + 1 slots */
            edges->n += edge;
            ok &= !edge & (d >= q->cos_r);
        }
        out[n] = entry;
        n += ok;
    }
    return n;
}

int64_t scan_box(const struct scan_query *q, const int64_t *runs, int64_t n_runs, int64_t *out,
                 struct edge_rows *edges) {
    /* Branch-free where the outcome is a coin toss (whether a row qualifies): a mispredicted branch
     * per row costs more than all of numpy's passes. Runs of cells wholly inside the circle skip the
     * distance test. */
    int64_t n = 0;
    edges->n = 0;
    for (int64_t k = 0; k < n_runs; k++) {
        const int64_t *run = runs + 3 * k;
        n = run[2] ? qualifying(q, run[0], run[1], 0, out, n, edges) : qualifying(q, run[0], run[1], 1, out, n, edges);
    }
    return n;
}

int64_t scan_count(const struct scan_query *q, int64_t *entries, int64_t n, uint64_t *seen, int64_t n_specialists,
                   int64_t *counts) {
    /* What a row needs of its specialist is stored by row (read in order); only a specialist with
     * several locations is looked up in `seen`, a bit each: 1M specialists fit in the L2 cache. */
    memset(seen, 0, (size_t)((n_specialists + 63) / 64) * sizeof(uint64_t));
    int64_t m = 0, rows[SCAN_TIERS] = {0}, specialists[SCAN_TIERS] = {0};
    for (int64_t i = 0; i < n; i++) {
        int64_t entry = entries[i], row = entry & ROW_MASK, sp = q->doc_sp[row];
        int traits = q->doc_traits[row];
        int ok = covered(q, row, traits);
        if (q->speaks != NULL) {
            ok &= q->speaks[sp] != 0;
        }
        if (q->excluded != NULL) {
            ok &= !q->excluded[sp];
        }
        if (ok) {
            int tier = tier_of_row(q, row, sp, (int)(entry >> FLAGS_SHIFT));
            rows[tier]++;
            if (traits & TRAIT_ONE_LOCATION) {
                specialists[tier]++;
            } else {
                uint64_t bit = UINT64_C(1) << (sp & 63);
                specialists[tier] += (seen[sp >> 6] & bit) == 0;
                seen[sp >> 6] |= bit;
            }
            entries[m++] = entry;
        }
    }
    for (int t = 0; t < SCAN_TIERS; t++) {
        counts[SCAN_ROWS + t] = rows[t];
        counts[SCAN_SPECIALISTS + t] = specialists[t];
    }
    return m;
}

int64_t pick(const struct scan_query *q, const int64_t *entries, int64_t n, int32_t min_tier, double min_dot,
             double max_dot, int32_t holders, int64_t *out, double *dots, uint8_t *in_network) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t row = entries[i] & ROW_MASK;
        int flags = (int)(entries[i] >> FLAGS_SHIFT);
        if (tier_of_row(q, row, q->doc_sp[row], flags) < min_tier) {
            continue;
        }
        double d = dot_of(q, row);
        int keep = d >= min_dot && d < max_dot;
        if (flags & 2) { /* holds a case code or group */
            keep = holders == HOLDERS_ALL || (holders == HOLDERS_AS_OTHERS && keep);
        }
        if (!keep) {
            continue;
        }
        out[m] = row;
        dots[m] = d;
        if (in_network != NULL) {
            in_network[m] = (q->plan_bits[row >> 3] >> (row & 7)) & 1;
        }
        m++;
    }
    return m;
}

void flags_by_profile(const uint8_t *by_profile, const int32_t *profile, const uint8_t *allowed,
                      const int8_t *population, int64_t n, uint8_t *out) {
    if (allowed == NULL) {
        for (int64_t i = 0; i < n; i++) {
            out[i] = by_profile[profile[i]];
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            out[i] = by_profile[profile[i]] & allowed[population[i]];
        }
    }
}

int64_t count_covered(const int64_t *specialists, int64_t n, const int64_t *sp_doc_ptr, const int32_t *sp_doc_rows,
                      const uint8_t *live, const uint8_t *plan_bits) {
    int64_t covered_count = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t sp = specialists[i];
        for (int64_t k = sp_doc_ptr[sp]; k < sp_doc_ptr[sp + 1]; k++) {
            int64_t row = sp_doc_rows[k];
            if (live[row] && ((plan_bits[row >> 3] >> (row & 7)) & 1)) {
                covered_count++;
                break;
            }
        }
    }
    return covered_count;
}

int64_t qualifying_specialists(const int64_t *specialists, int64_t n, const uint8_t *flags, const uint8_t *live,
                               const uint8_t *self_pay, const uint8_t *speaks, const uint8_t *excluded, int64_t *out,
                               uint8_t *out_flags) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t sp = specialists[i];
        uint8_t f = flags[sp];
        int ok = (f != 0) & (live[sp] != 0);
        if (self_pay != NULL) {
            ok &= self_pay[sp] != 0;
        }
        if (speaks != NULL) {
            ok &= speaks[sp] != 0;
        }
        if (excluded != NULL) {
            ok &= !excluded[sp];
        }
        out[m] = sp;
        out_flags[m] = f;
        m += ok;
    }
    return m;
}

int64_t cell_runs(double lat, double lon, double radius_mi, const struct grid_shape *g, int64_t first_band,
                  int64_t n_bands, int64_t box_lo, int64_t box_hi, int64_t *out) {
    const double to_rad = 3.14159265358979323846 / 180.0;
    double delta = radius_mi / g->earth_radius_mi, phi = lat * to_rad, lam = lon * to_rad;
    double cos_r = cos(delta), sin_phi = sin(phi), cos_phi = cos(phi);
    double ratio = sin_phi / cos_r;
    double widest = asin(ratio > 1.0 ? 1.0 : (ratio < -1.0 ? -1.0 : ratio));
    int64_t n = 0;
    for (int64_t j = 0; j < n_bands; j++) {
        int64_t band = first_band + j;
        double lat_s = (double)band * g->cell_deg - 90.0, lat_n = (double)(band + 1) * g->cell_deg - 90.0;
        /* The circle's widest half-width in longitude within the band: at its widest latitude, or at
         * the band's edge nearer to it. */
        double south = fmax(lat_s * to_rad, phi - delta), north = fmin(lat_n * to_rad, phi + delta);
        double at = fmin(fmax(widest, south), north);
        double cos_half = (cos_r - sin(at) * sin_phi) / (cos(at) * cos_phi);
        cos_half = cos_half > 1.0 ? 1.0 : (cos_half < -1.0 ? -1.0 : cos_half);
        double half = acos(cos_half) / to_rad + g->slack_deg;
        int64_t lo = (int64_t)floor((lon - half + 180.0) / g->cell_deg);
        int64_t hi = (int64_t)floor((lon + half + 180.0) / g->cell_deg);
        lo = lo < box_lo ? box_lo : (lo > box_hi ? box_hi : lo);
        hi = hi < box_lo ? box_lo : (hi > box_hi ? box_hi : hi);
        /* A cell lies wholly inside when its four corners do (its farthest point is a corner). */
        double s0 = sin(lat_s * to_rad), c0 = cos(lat_s * to_rad), s1 = sin(lat_n * to_rad), c1 = cos(lat_n * to_rad);
        double west = cos(((double)lo * g->cell_deg - 180.0) * to_rad - lam);
        int64_t start = lo, inside_run = -1;
        for (int64_t cell = lo; cell <= hi; cell++) {
            double east = cos(((double)(cell + 1) * g->cell_deg - 180.0) * to_rad - lam);
            double low = fmin(fmin(s0 * sin_phi + c0 * cos_phi * west, s0 * sin_phi + c0 * cos_phi * east),
                              fmin(s1 * sin_phi + c1 * cos_phi * west, s1 * sin_phi + c1 * cos_phi * east));
            int64_t inside = low >= cos_r + g->inside_margin;
            if (inside_run >= 0 && inside != inside_run) {
                out[3 * n] = band * g->n_lon + start;
                out[3 * n + 1] = band * g->n_lon + cell;
                out[3 * n + 2] = inside_run;
                n++;
                start = cell;
            }
            inside_run = inside;
            west = east;
        }
        out[3 * n] = band * g->n_lon + start;
        out[3 * n + 1] = band * g->n_lon + hi + 1;
        out[3 * n + 2] = inside_run;
        n++;
    }
    return n;
}
