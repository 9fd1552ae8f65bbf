"""One blueprint per domain: routes.py holds short views, forms.py the forms."""
