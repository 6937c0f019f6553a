"""Second-opinion cases: intake, closed-loop referrals, records, opinions."""
