"""datasette plugin: Chinese full-text search over the stdkb ``clauses`` table.

``clauses_fts`` indexes character bigrams (see :mod:`stdkb.search`), so a query must be cut
the same way before it reaches FTS5. This plugin
  * registers SQL functions ``stdkb_match(q)`` (user query -> FTS5 expression), ``stdkb_contains(text, q)``
    (1 when the text holds the query: the check behind the index for queries longer than one token),
    ``stdkb_score(text, q)`` (BM25, lower = better) and ``stdkb_snippet(text, q)`` (window of text with the
    matches in <mark>) on every connection, used by the "search_clauses" canned query;
  * rewrites the table page's ``_search=`` parameter on ``/<db>/clauses`` (HTML and JSON) with the same
    function, adding ``_where=stdkb_contains(text, ...) = 1`` when the query needs the check, so datasette's
    own search box finds 投诉, 诉 and 禁忌用语 alike;
  * renders <mark> in snippet columns as highlighting (everything else stays escaped).
"""
import re
from urllib.parse import parse_qsl, urlencode

from markupsafe import Markup, escape

from datasette import hookimpl


def _match(q):
    from stdkb.errors import StdkbError
    from stdkb.search import compile_query

    try:
        return compile_query(q or "")
    except StdkbError:
        return '"qqnothingqq"'


def _contains(text, q):
    from stdkb.errors import StdkbError
    from stdkb.search import contains

    try:
        return 1 if contains(text, q or "") else 0
    except StdkbError:
        return 0


def _score(text, q):
    from stdkb.errors import StdkbError
    from stdkb.search import score

    try:
        return score(text, q or "")
    except StdkbError:
        return 0.0


def _needs_check(q):
    from stdkb.errors import StdkbError
    from stdkb.search import needs_check

    try:
        return needs_check(q)
    except StdkbError:
        return False


def _snippet(text, q):
    from stdkb.search import highlight

    if text is None:
        return None
    return highlight(text, q or "", width=120)


@hookimpl
def prepare_connection(conn):
    conn.create_function("stdkb_match", 1, _match, deterministic=True)
    conn.create_function("stdkb_snippet", 2, _snippet, deterministic=True)
    conn.create_function("stdkb_contains", 2, _contains, deterministic=True)
    conn.create_function("stdkb_score", 2, _score, deterministic=True)


def _looks_compiled(v):
    """Is ``v`` an FTS expression made by stdkb_match (after a redirect) rather than what a user typed? Every
    quoted token of a compiled expression is one word or at most two Chinese characters, joined by AND."""
    v = v.strip()
    if not v.startswith(('"', '("')):
        return False
    toks = re.findall(r'"([^"]*)"', v)
    rest = re.sub(r'"[^"]*"', " ", v)
    return bool(toks) and re.fullmatch(r"[()\s*]*(?:AND[()\s*]*)*", rest) is not None and \
        all(t and not t.split()[1:] and (len(t) <= 2 or not _CJK.search(t)) for t in toks)


_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CHECK = "stdkb_contains(text, "


def _quote(v):
    return "'" + v.replace("'", "''") + "'"


def _rewrite_query(qs: str, mapping: dict, checks: bool = True) -> str:
    """Replace each ``_search`` value by ``mapping[value]``; with ``checks``, add the text check as ``_where`` for
    a query longer than one token, without it drop such checks (a redirect gives the user's query back)."""
    pairs = parse_qsl(qs, keep_blank_values=True)
    out = []
    for k, v in pairs:
        if k == "_where" and v.startswith(_CHECK):
            continue
        if k == "_search" and v in mapping:
            if checks and _needs_check(v):
                out.append(("_where", f"{_CHECK}{_quote(v)}) = 1"))
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
                                        value = (loc + "?" + _rewrite_query(q, back, checks=False)).encode("latin-1")
                                    headers.append((name, value))
                                message = dict(message, headers=headers)
                            await inner_send(message)
            await app(scope, receive, send)

        return rewrite

    return wrap


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column == "snippet" and isinstance(value, str) and "<mark>" in value:
        s = str(escape(value)).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
        return Markup(s)
    if table == "obligations" and column in ("text_span", "action_span") and isinstance(value, int):
        # the table stores the sentence as a span of the clause text and the action as a span of the sentence:
        # show the words (the JSON and CSV keep the numbers; view obligation_texts has them as columns)
        async def words():
            try:
                clause, text_span = row["clause"], row["text_span"]
            except (KeyError, IndexError, TypeError):
                return None
            if isinstance(clause, dict):  # foreign-key labels expanded: {"value": n, "label": ...}
                clause = clause.get("value")
            res = await datasette.get_database(database).execute("SELECT text FROM clauses WHERE n = ?", [clause])
            first = res.first()
            if first is None:
                return None
            from stdkb.store import unspan

            sentence = unspan(first[0], text_span)
            return sentence if column == "text_span" else unspan(sentence, value)

        return words
    return None


@hookimpl
def extra_body_script(table, view_name):
    # the search box would show the rewritten FTS expression: put back what the user typed (still in the URL)
    if view_name == "table" and table == "clauses":
        return ("(function(){var q=new URLSearchParams(window.location.search).get('_search');"
                "var box=document.getElementById('_search');if(q!==null&&box){box.value=q;}})();")
    return None
