"""Libraries the tests (and bench/) import: servers, clients, clips, factories, attacks.

conftest.py files hold only fixtures and hooks; anything a test imports by name lives here.
"""
