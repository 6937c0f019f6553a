"""SecondLook: find the right specialist for a medical second opinion.

The application factory is `api.app.create_app`; this package init stays empty so that importing
a shared module (api.db, api.models) never imports every feature with it.
"""
