"""`jixiao serve`: a local review workbench in the browser over one corpus (issue 13).

app.py holds the routes (pages and the JSON API under /api/), service.py what they do (search,
project pages, the review queue and its decisions), templates/ the server-rendered pages (Jinja2,
autoescaped) and static/ the only script and style sheet, served by the app itself.
"""
