"""The embedded stack for `make run` and for tests: dev server, SMTP catcher, worker, web app."""
