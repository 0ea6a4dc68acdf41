"""`kgraph serve`: a built graph as a local, read-only web app (pages, a JSON API, a SPARQL endpoint).

::

    from kgraph.serve import open_served, Running

    served = open_served("output/")             # the graph, and a SPARQL store for it
    server = Running(served.app())              # on a free loopback port, in a thread
    server.url                                  # 'http://127.0.0.1:...'
    server.stop(); served.close()

:class:`Site` answers without a server (``Site(G).search("fast3r")``);
docs/API.md lists the routes.
"""

from .app import create_app
from .server import Running, Served, is_loopback, open_served, run
from .site import NotFound, Site, read_site_graph
from .sparql import Answer, QueryTimeout, SparqlService

__all__ = [
    "Answer",
    "NotFound",
    "QueryTimeout",
    "Running",
    "Served",
    "Site",
    "SparqlService",
    "create_app",
    "is_loopback",
    "open_served",
    "read_site_graph",
    "run",
]
