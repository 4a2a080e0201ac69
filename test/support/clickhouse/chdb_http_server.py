"""A ClickHouse HTTP interface on top of chdb (ClickHouse's engine in-process), for tests.

It answers enough of https://clickhouse.com/docs/interfaces/http for @clickhouse/client:
the query in the URL (`query=`) and/or the body (the body follows the URL's text, as the
data of an INSERT or the rest of the query), `param_*` bound parameters, `database=`,
`default_format=`, gzip request bodies, `/ping`, the `X-ClickHouse-*` response headers,
and errors as ClickHouse sends them: the `Code: N. DB::Exception: ...` text with status
400/404/500 and `X-ClickHouse-Exception-Code`. Every other URL parameter is a setting, applied
with SET for that one query and put back to its default after it (chdb's defaults differ
from a server's: it does not quote 64-bit integers in JSON, for one).

One chdb session per process runs one query at a time. Data lives in the directory
given, so killing the process and starting it again on that directory is a ClickHouse
restart. Usage: python chdb_http_server.py DATA_DIR [PORT]; prints `listening PORT`.
"""
import gzip
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from chdb import session

# Not settings: everything else in the URL is one, and ignored.
NON_SETTINGS = {"query", "database", "default_format", "query_id", "session_id", "session_timeout", "session_check", "user", "password", "compress", "decompress", "enable_http_compression"}
CLIENT_ERRORS = {27, 36, 43, 44, 46, 47, 53, 62, 69, 70, 72, 117, 130, 386, 456, 457}
NOT_FOUND = {60, 81}
SETTING_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NUMBER_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
CODE_RE = re.compile(r"Code: (\d+)\.")
FORMAT_RE = re.compile(r"\bFORMAT\s+(\w+)\s*$", re.IGNORECASE)


class Engine:
    def __init__(self, path):
        self.session = session.Session(path)
        self.lock = threading.Lock()
        # What the session has now (chdb keeps USE and SET between queries): only changes are sent.
        self.database = None
        self.settings = {}

    def prepare(self, database, settings):
        """USE and SET what this query asks for; settings it does not name go back to their defaults."""
        database = database or "default"
        if database != self.database:
            self.session.query(f"USE `{database}`", "TabSeparated")
            self.database = database
        for name in [n for n in self.settings if n not in settings]:
            self.session.query(f"SET {name} = DEFAULT", "TabSeparated")
            del self.settings[name]
        for name, value in settings.items():
            if self.settings.get(name) == value:
                continue
            literal = value if NUMBER_RE.match(value) else "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
            self.session.query(f"SET {name} = {literal}", "TabSeparated")
            self.settings[name] = value


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold the body back ~40 ms on every keep-alive request.
    disable_nagle_algorithm = True
    engine: Engine = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        if path in ("/ping", "/"):
            if path == "/" and "query=" not in self.path:
                return self.reply(200, b"Ok.\n", {})
            if path == "/ping":
                return self.reply(200, b"Ok.\n", {})
        self.handle_query(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self.read_chunked()
        else:
            body = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        self.handle_query(body)

    def read_chunked(self):
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def handle_query(self, body):
        url = urlsplit(self.path)
        args = dict(parse_qsl(url.query, keep_blank_values=True))
        query_id = args.get("query_id") or str(uuid.uuid4())
        sql = args.get("query", "")
        text = body.decode("utf-8", errors="surrogateescape")
        sql = f"{sql}\n{text}" if sql and text else (sql or text)
        params = {k[len("param_"):]: v for k, v in args.items() if k.startswith("param_")}
        database = args.get("database")
        settings = {k: v for k, v in args.items() if k not in NON_SETTINGS and not k.startswith("param_") and SETTING_NAME_RE.match(k)}
        explicit = FORMAT_RE.search(sql.split("\n", 1)[0]) if sql.lstrip().upper().startswith("INSERT") else FORMAT_RE.search(sql)
        fmt = explicit.group(1) if explicit else args.get("default_format", "TabSeparated")
        started = time.monotonic()
        try:
            with self.engine.lock:
                # chdb has no per-query database or settings: the session is set up for each query.
                self.engine.prepare(database, settings)
                result = self.engine.session.query(sql, fmt, params=params or None)
        except Exception as err:  # chdb raises its own error type with ClickHouse's text
            message = str(err)
            match = CODE_RE.search(message)
            code = int(match.group(1)) if match else 1002
            if not match:
                message = f"Code: {code}. DB::Exception: {message}. (UNKNOWN_EXCEPTION)"
            status = 400 if code in CLIENT_ERRORS else 404 if code in NOT_FOUND else 500
            return self.reply(status, (message + "\n").encode(), {"X-ClickHouse-Exception-Code": str(code), "X-ClickHouse-Query-Id": query_id})
        data = result.bytes() if result is not None else b""
        summary = {
            "read_rows": str(result.rows_read() if result is not None else 0),
            "read_bytes": str(result.bytes_read() if result is not None else 0),
            "written_rows": "0",
            "written_bytes": "0",
            "total_rows_to_read": "0",
            "result_rows": "0",
            "result_bytes": str(len(data)),
            "elapsed_ns": str(int((time.monotonic() - started) * 1e9)),
        }
        headers = {
            "X-ClickHouse-Query-Id": query_id,
            "X-ClickHouse-Format": fmt,
            "X-ClickHouse-Timezone": "UTC",
            "X-ClickHouse-Server-Display-Name": "chdb",
            "X-ClickHouse-Summary": json.dumps(summary),
            "Content-Type": "application/json; charset=UTF-8" if fmt.upper().startswith("JSON") else "text/tab-separated-values; charset=UTF-8",
        }
        if args.get("enable_http_compression") == "1" and "gzip" in self.headers.get("Accept-Encoding", ""):
            data = gzip.compress(data, 1)
            headers["Content-Encoding"] = "gzip"
        self.reply(200, data, headers)

    def reply(self, status, data, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    path = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    Handler.engine = Engine(path)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
