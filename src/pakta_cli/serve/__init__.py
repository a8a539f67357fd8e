"""`pakta serve`: the public verification page a pact's QR code opens.

Anyone (the public, journalists, election observers) checks a pact without a command line: upload
the PDF and read the same verdict `pakta verify` gives under the server's trust, or scan the QR
code of a printed pact and see the institution's archived original, verified now, to compare the
paper against. Modules, one job each:

    app      Starlette routes, security headers, errors as pages
    upload   the uploaded PDF, read into memory with a size limit, never written anywhere
    pool     worker processes with a time limit per request (a hostile file is killed, not waited for)
    worker   what a worker does with one PDF: verdict + facts
    facts    what the pact states about itself (title, parties), NIKs masked
    archive  the archive folder's SQLite index by pact id, kept up to date
    pages    archived pages drawn by pdftoppm, cached within a size bound
    views    verdict -> what the templates show; the Jinja environment (autoescape)
"""

from pakta_cli.serve.app import ServeConfig, create_app

__all__ = ["ServeConfig", "create_app"]
