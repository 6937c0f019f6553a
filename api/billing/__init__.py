"""The Stripe webhook endpoint (the payment flow itself lives in the top-level `billing` package)."""
