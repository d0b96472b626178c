"""Views of the members app, one module per area; urls.py names them as ``views.people.person_list``."""
