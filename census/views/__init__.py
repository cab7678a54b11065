"""Pages for statistics staff, one module per page or family of pages; census/entry_urls.py maps them."""
