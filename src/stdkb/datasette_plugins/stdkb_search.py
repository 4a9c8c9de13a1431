"""datasette plugin: Chinese full-text search over the stdkb ``clauses`` table.

``clauses_fts`` indexes character bigrams (see :mod:`stdkb.search`), so a query must be cut
the same way before it reaches FTS5. This plugin
  * registers SQL functions ``stdkb_match(q)`` (user query -> FTS5 expression) and
    ``stdkb_snippet(text, q)`` (window of text with the matches in <mark>) on every connection,
    used by the "search_clauses" canned query;
  * rewrites the table page's ``_search=`` parameter on ``/<db>/clauses`` (HTML and JSON) with the same
    function, so datasette's own search box finds 投诉, 诉 and 禁忌用语 alike;
  * renders <mark> in snippet columns as highlighting (everything else stays escaped).
"""
from urllib.parse import parse_qsl, urlencode

from markupsafe import Markup, escape

from datasette import hookimpl


def _match(q):
    from stdkb.errors import StdkbError
    from stdkb.search import compile_query

    try:
        return compile_query(q or "")
    except StdkbError:
        return 'tok : "qqnothingqq"'


def _snippet(text, q):
    from stdkb.search import highlight

    if text is None:
        return None
    return highlight(text, q or "", width=120)


@hookimpl
def prepare_connection(conn):
    conn.create_function("stdkb_match", 1, _match, deterministic=True)
    conn.create_function("stdkb_snippet", 2, _snippet, deterministic=True)


def _looks_compiled(v):
    return "tok :" in v


def _rewrite_query(qs: str, mapping: dict) -> str:
    pairs = parse_qsl(qs, keep_blank_values=True)
    out = []
    for k, v in pairs:
        if k == "_search" and v in mapping:
            v = mapping[v]
        out.append((k, v))
    return urlencode(out)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def rewrite(scope, receive, send):
            if scope.get("type") == "http":
                path = scope.get("path", "")
                base = path.rsplit(".", 1)[0] if path.endswith((".json", ".csv")) else path
                qs = scope.get("query_string", b"").decode("utf-8", "replace")
                if base.endswith("/clauses") and "_search" in qs:
                    compiled = {}  # user query -> FTS expression
                    for k, v in parse_qsl(qs, keep_blank_values=True):
                        if k == "_search" and v.strip() and not _looks_compiled(v):
                            compiled[v] = _match(v)
                    if compiled:
                        scope = dict(scope, query_string=_rewrite_query(qs, compiled).encode("utf-8"))
                        back = {c: u for u, c in compiled.items()}
                        inner_send = send

                        async def send(message):  # noqa: F811  redirects keep what the user typed
                            if message.get("type") == "http.response.start" and 300 <= message.get("status", 0) < 400:
                                headers = []
                                for name, value in message.get("headers", []):
                                    if name.lower() == b"location" and b"?" in value:
                                        loc, q = value.decode("latin-1").split("?", 1)
                                        value = (loc + "?" + _rewrite_query(q, back)).encode("latin-1")
                                    headers.append((name, value))
                                message = dict(message, headers=headers)
                            await inner_send(message)
            await app(scope, receive, send)

        return rewrite

    return wrap


@hookimpl
def render_cell(value, column):
    if column == "snippet" and isinstance(value, str) and "<mark>" in value:
        s = str(escape(value)).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
        return Markup(s)
    return None


@hookimpl
def extra_body_script(table, view_name):
    # the search box would show the rewritten FTS expression: put back what the user typed (still in the URL)
    if view_name == "table" and table == "clauses":
        return ("(function(){var q=new URLSearchParams(window.location.search).get('_search');"
                "var box=document.getElementById('_search');if(q!==null&&box){box.value=q;}})();")
    return None
