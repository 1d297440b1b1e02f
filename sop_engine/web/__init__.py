"""The web front end: server-rendered pages in Bahasa Indonesia and the JSON API, over the services."""
