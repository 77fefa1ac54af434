"""The project shell keeps no model of its own: each lives in the app of its layer."""
