/* What search/backends/native/scan.c offers. Read by the C compiler and by cffi's cdef (build.py),
 * so it holds plain declarations only: no include guards, no includes. */

#define COVER_ANY 0
#define COVER_IN_NETWORK_OR_SELF_PAY 1
#define COVER_SELF_PAY 2

#define TRAIT_SELF_PAY 1      /* doc_traits: the row's specialist takes self-pay patients */
#define TRAIT_ONE_LOCATION 2  /* doc_traits: the row is its specialist's only location */

#define SCAN_TIERS 4        /* standing tiers 0..3: scoring.standing bonus / STANDING_BONUS + 1 */
#define SCAN_PLAIN_TIER 1   /* no standing bonus: every row's tier when the case sets none apart */
#define SCAN_ROWS 0         /* counts[SCAN_ROWS + tier]: qualifying rows of the tier */
#define SCAN_SPECIALISTS 4  /* counts[SCAN_SPECIALISTS + tier]: their distinct specialists */

/* One match's arrays: by document row (doc_*, live, unit, plan_bits) or by specialist row (the rest).
 * A NULL pointer leaves its check out. */
struct scan_query {
    const int64_t *doc_sp;
    const uint8_t *live;
    const uint8_t *flags;     /* non-zero: qualifies by specialty or condition; bit 2 holds a case code */
    const uint8_t *remote;    /* may consult this patient by telehealth: left to the telehealth walk */
    uint8_t *boxed;           /* set for remote specialists with a row in the box */
    const double *unit;       /* three per row */
    double x, y, z;           /* the case's point on the unit sphere */
    double cos_r;             /* rows with a dot product at least this are within the radius */
    double boundary;          /* closer than this to cos_r: an edge row, for the exact haversine */
    const uint8_t *speaks;
    const uint8_t *excluded;
    const uint8_t *plan_bits; /* packed, little bit order, by row */
    const uint8_t *doc_traits; /* by row: TRAIT_* of its specialist */
    int32_t coverage;         /* COVER_* */
    const int8_t *tier_of;    /* by profile * 4 + (flags & 2) + expert */
    const int32_t *doc_profile; /* by row: its specialist's profile */
    const uint8_t *expert;
};

/* Rows in scan_box's `out` carry their specialist's flags above this bit (document rows are far
 * below 2**56): later steps need no gather of flags by specialist. */
#define FLAGS_SHIFT 56

/* Rows too close to the radius to tell by their dot product: decided by the exact haversine. */
struct edge_rows {
    int64_t *rows;  /* room + 1 slots */
    int64_t room;
    int64_t n;      /* how many there were (more than `room`: only `room` are kept) */
};

/* The rows of qualifying, live specialists not left to telehealth and within the radius, from the
 * runs of rows (runs[3k], runs[3k+1]), into `out` in row order: runs[3k+2] is 1 when every row of the
 * run lies within the radius (search.backends.grid.cell_runs). Returns how many. */
int64_t scan_box(const struct scan_query *q, const int64_t *runs, int64_t n_runs, int64_t *out,
                 struct edge_rows *edges);

/* Of scan_box's rows, those that speak, are not excluded and are covered, kept in place; counts[0..7]
 * by tier. `seen` is work space, a bit per specialist. Returns how many. */
int64_t scan_count(const struct scan_query *q, int64_t *entries, int64_t n, uint64_t *seen, int64_t n_specialists,
                   int64_t *counts);

#define HOLDERS_AS_OTHERS 0  /* pick: holders of a case code or group are kept by their dot product too */
#define HOLDERS_ALL 1        /* pick: every holder is kept, whatever their dot product */
#define HOLDERS_LEFT_OUT 2   /* pick: no holder is kept */

/* The rows of scan_count's `entries` whose specialist's tier is at least min_tier and whose dot product d
 * has min_dot <= d < max_dot (see HOLDERS_*), with d and (when in_network is not NULL) their
 * in-network bits. Returns how many. */
int64_t pick(const struct scan_query *q, const int64_t *entries, int64_t n, int32_t min_tier, double min_dot,
             double max_dot, int32_t holders, int64_t *out, double *dots, uint8_t *in_network);

/* out[i] = by_profile[profile[i]] (& allowed[population[i]] when allowed is not NULL), for n specialists:
 * what numpy would do with two gathers through index arrays it first widens. */
void flags_by_profile(const uint8_t *by_profile, const int32_t *profile, const uint8_t *allowed,
                      const int8_t *population, int64_t n, uint8_t *out);

/* How many of these specialists have a live location in the plan's network (plan_bits, by row). */
int64_t count_covered(const int64_t *specialists, int64_t n, const int64_t *sp_doc_ptr, const int32_t *sp_doc_rows,
                      const uint8_t *live, const uint8_t *plan_bits);

/* Of these specialist rows, those that qualify (flags non-zero), have a live location, and (for each
 * array given) take self-pay, speak a language asked for, are not excluded; with their flags.
 * Branch-free: whether one qualifies is a coin toss. Returns how many. */
int64_t qualifying_specialists(const int64_t *specialists, int64_t n, const uint8_t *flags, const uint8_t *live,
                               const uint8_t *self_pay, const uint8_t *speaks, const uint8_t *excluded, int64_t *out,
                               uint8_t *out_flags);

/* The geo grid (search.backends.segment) and the margins search.backends.grid uses. */
struct grid_shape {
    double cell_deg;
    int64_t n_lon;
    double earth_radius_mi;
    double inside_margin; /* a cell's corners this far past the radius (in dot product): wholly inside */
    double slack_deg;     /* widens each band's span of longitude against rounding */
};

/* search.backends.grid.cell_runs for a circle whose bounding box is the bands first_band ..
 * first_band + n_bands - 1 and the columns box_lo .. box_hi (no wrap, no pole): per band, only the
 * columns the circle reaches, as runs (first cell, last + 1, 1 if wholly inside) into `out`, room
 * for 3 * n_bands * (box_hi - box_lo + 1). Returns how many runs. */
int64_t cell_runs(double lat, double lon, double radius_mi, const struct grid_shape *g, int64_t first_band,
                  int64_t n_bands, int64_t box_lo, int64_t box_hi, int64_t *out);
