"""Full-stack load test on loopback (SPEC: a province on one cluster). Not a test: a script.

    .venv/bin/python bench/load/run.py [--seconds 60] [--clerks 6 --handlers 8 --approvers 3
        --supervisors 3] [--public 5] [--database ogi_load] [--redis redis://127.0.0.1:6379/7]
        [--profile]

Starts, in a fresh temporary directory, the production shape of several nodes on one machine:
nginx (Debian's package, `make bench-deps`) on 127.0.0.1:18480 balancing two gunicorn
instances (127.0.0.1:18481 and :18482, two sync workers each: two "web nodes"), one Celery
worker and one Celery beat, all sharing PostgreSQL (database --database, recreated), Redis
(cache, sessions' rate limits, Celery broker) and one MEDIA_ROOT (the shared file store).
Then locust drives, for --seconds, 20 staff (clerks registering, handlers acting and drafting
replies, approvers approving and issuing them, supervisors opening the supervision page, the
worklist and the consolidated annual report) and --public users each filing or tracking one
request per second through /api/v1/portal/. At the end it waits for the worker to render every
issued letter, stops everything and prints:
- per action: requests, failures, requests/s, p50/p95/p99 (ms), with the goals (p95 <= 300 ms
  for page views and lookups, <= 500 ms for registrations, transitions and letters);
- the count check: every accepted request is a case (and no case nobody asked for), every
  issued letter has its number and its rendered file (checksum verified), no letter number or
  generated case number repeated or skipped.
--profile then profiles the hot actions in-process with pyinstrument (registration, the case
page, the worklist, issuing a letter) and prints where the time goes."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
NGINX_PORT, WEB_PORTS = 18480, (18481, 18482)
PAGE_P95_MS, WRITE_P95_MS = 300, 500

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/nginx-body;
  proxy_temp_path {tmp}/nginx-proxy;
  fastcgi_temp_path {tmp}/nginx-fastcgi;
  uwsgi_temp_path {tmp}/nginx-uwsgi;
  scgi_temp_path {tmp}/nginx-scgi;
  upstream ogi {{
    server 127.0.0.1:{web1};
    server 127.0.0.1:{web2};
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 25m;
    location / {{
      proxy_pass http://ogi;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 120s;
    }}
  }}
}}
"""


def service_env(args, tmp: Path) -> dict[str, str]:
    """The environment every node gets: production settings, shared DB, Redis and files."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"{PG}/{args.database}?conn_max_age=60",
        REDIS_URL=args.redis,
        CELERY_EAGER="false",
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY="load-test-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TRUSTED_PROXIES="127.0.0.1",
        MEDIA_ROOT=str(tmp / "media"),
        PORTAL_THROTTLE="100000/minute",
        PORTAL_RATE_IDENTITY="100000/day",
        PORTAL_RATE_GLOBAL="10000000/day",
        FAST_PASSWORD_HASHER="true",
        LOG_LEVEL="WARNING",
    )
    return env


def prepare(args, tmp: Path) -> dict:
    """Fresh database, agencies, staff with API tokens and logged-in sessions."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    os.environ.update(service_env(args, tmp))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from agencies.models import Agency
    from letters import samples
    from tests.conftest import make_user

    call_command("migrate", verbosity=0)
    root = Agency.objects.create(code="LOAD-CITY", name="压测市人民政府", level="city")
    office = Agency.objects.create(
        code="LOAD-OFFICE",
        name="压测市人民政府办公室",
        level="department",
        parent=root,
        review_body="压测市人民政府",
        court="压测市人民法院",
        letter_prefix="压政办信复",
        address="压测市人民路1号",
        postcode="255000",
        phone="0533-1234567",
    )
    counts = {
        "clerk": args.clerks,
        "handler": args.handlers,
        "approver": args.approvers,
        "supervisor": args.supervisors,
        "public": args.public,
    }
    staff: dict[str, list[dict]] = {}
    for role in ("clerk", "handler", "approver", "supervisor"):
        staff[role] = []
        for i in range(counts[role]):
            user = make_user(f"load-{role}-{i}", root if role == "supervisor" else office, role)
            client = Client()
            client.force_login(user)
            staff[role].append(
                {
                    "token": Token.objects.create(user=user).key,
                    "session": client.cookies["sessionid"].value,
                }
            )
    outcome = "disclosed"
    config = {
        "agency": office.code,
        "root": root.code,
        "year": timezone.localdate().year,
        "today": timezone.localdate().isoformat(),
        "outcome": outcome,
        "details": samples.reply_details(outcome),
        "counts": counts,
        "staff": staff,
    }
    (tmp / "config.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return config


def start(args, tmp: Path) -> list[subprocess.Popen]:
    env = service_env(args, tmp)
    (tmp / "media").mkdir(exist_ok=True)
    logs = tmp / "logs"
    logs.mkdir(exist_ok=True)

    def spawn(name: str, command: list[str]) -> subprocess.Popen:
        log = open(logs / f"{name}.log", "wb")
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    processes = [
        spawn(
            f"web{i + 1}",
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.web_workers),
                "--timeout",
                "120",
            ],
        )  # fmt: skip
        for i, port in enumerate(WEB_PORTS)
    ]
    processes.append(
        spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--concurrency",
                "2",
                "-n",
                f"load-{os.getpid()}@%h",
                "--loglevel",
                "WARNING",
            ],
        )  # fmt: skip
    )
    processes.append(
        spawn(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "-s",
                str(tmp / "beat-schedule"),
                "--loglevel",
                "WARNING",
            ],
        )  # fmt: skip
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(tmp=tmp, port=NGINX_PORT, web1=WEB_PORTS[0], web2=WEB_PORTS[1])
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is not installed: run `make bench-deps` (Debian's nginx-light)")
    processes.append(
        spawn("nginx", [nginx, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "nginx-error.log")])
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            for port in (NGINX_PORT, *WEB_PORTS):
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as r:
                    assert r.status == 200
            return processes
        except Exception:
            time.sleep(1)
    stop(processes)
    raise SystemExit(f"the stack did not come up; see {logs}")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def drive(args, tmp: Path, config: dict) -> Path:
    users = sum(config["counts"].values())
    env = dict(
        os.environ, LOAD_CONFIG=str(tmp / "config.json"), LOAD_RESULTS=str(tmp / "results.json")
    )
    warm_up(config)
    log = open(tmp / "logs" / "locust.log", "wb")
    subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "bench/load/locustfile.py"), "--headless",
         "-u", str(users), "-r", str(users), "-t", f"{args.seconds}s",
         "--host", f"http://127.0.0.1:{NGINX_PORT}", "--csv", str(tmp / "locust"),
         "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
        cwd=ROOT, env=env, check=False, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return tmp / "results.json"


def warm_up(config: dict) -> None:
    """A few page views on every web node first: each worker process imports the code and
    builds its calendar index on its first requests, which is not the steady state measured."""
    cookie = f"sessionid={config['staff']['handler'][0]['session']}"
    for port in WEB_PORTS:
        for _ in range(12):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/worklist/?sort=due", headers={"Cookie": cookie}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()


def wait_for_letters(timeout: float = 180) -> int:
    from letters.models import Letter

    deadline = time.time() + timeout
    pending = 0
    while time.time() < deadline:
        pending = Letter.objects.filter(state="issued").exclude(render_status="generated").count()
        if not pending:
            break
        time.sleep(2)
    return pending


def report_stats(tmp: Path, seconds: int) -> bool:
    rows = list(csv.DictReader(open(tmp / "locust_stats.csv", encoding="utf-8")))
    print(f"\nper action over {seconds} s (through nginx; ms):")
    print(
        f"  {'action':<40}{'reqs':>7}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}  goal p95"
    )
    ok = True
    for row in rows:
        name = row["Name"]
        write = name.startswith(("registration", "transition", "letter", "portal: file"))
        goal = WRITE_P95_MS if write else PAGE_P95_MS
        p95 = float(row["95%"] or 0)
        failures = int(row["Failure Count"])
        if name != "Aggregated":
            ok &= p95 <= goal and failures == 0
        mark = "" if name == "Aggregated" else (f"<= {goal}" + ("" if p95 <= goal else "  MISSED"))
        print(
            f"  {name:<40}{int(row['Request Count']):>7}{failures:>6}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}  {mark}"
        )
    failures_file = tmp / "locust_failures.csv"
    if failures_file.exists():
        for row in list(csv.DictReader(open(failures_file, encoding="utf-8")))[:10]:
            print(
                f"  failure: {row['Method']} {row['Name']}: {row['Error'][:160]} x{row['Occurrences']}"
            )
    return ok


def count_check(results_file: Path, pending: int) -> bool:
    from django.conf import settings

    from letters.models import Letter
    from requests_app.models import Case

    results = json.loads(results_file.read_text(encoding="utf-8"))
    accepted, portal, issued = results["accepted"], results["portal"], results["issued"]
    problems = []
    found = Case.objects.filter(public_id__in=accepted).count()
    if found != len(set(accepted)):
        problems.append(f"{len(set(accepted)) - found} registrations answered 201 but missing")
    found = Case.objects.filter(tracking_code__in=portal).count()
    if found != len(set(portal)):
        problems.append(f"{len(set(portal)) - found} portal requests answered 201 but missing")
    total = Case.objects.count()
    if total != len(set(accepted)) + len(set(portal)):
        problems.append(f"{total} cases in the database for {len(accepted) + len(portal)} accepted")
    letters = list(Letter.objects.filter(state="issued"))
    if {str(x.public_id) for x in letters} != set(issued):
        problems.append(
            f"{len(letters)} letters issued in the database, {len(set(issued))} answered as issued"
        )
    for letter in letters:
        if not letter.number or letter.number_seq is None:
            problems.append(f"letter {letter.public_id} issued without a number")
            continue
        path = Path(settings.MEDIA_ROOT) / letter.file.name if letter.file else None
        if not path or not path.is_file():
            problems.append(f"letter {letter.number} has no file ({letter.render_status})")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != letter.sha256:
            problems.append(f"letter {letter.number}: file checksum differs")
    series: dict[tuple, list[int]] = {}
    for letter in letters:
        key = (letter.agency_id, letter.number_series, letter.number_year)
        series.setdefault(key, []).append(letter.number_seq)
    for key, seqs in series.items():
        if sorted(seqs) != list(range(1, len(seqs) + 1)):
            problems.append(f"letter numbers of {key} repeated or skipped: {sorted(seqs)[:20]}…")
    numbers = list(Letter.objects.exclude(number="").values_list("number", flat=True))
    if len(numbers) != len(set(numbers)):
        problems.append("a letter number is repeated")
    by_year: dict[tuple, list[int]] = {}
    for agency_id, year, case_no in Case.objects.values_list("agency_id", "year", "case_no"):
        by_year.setdefault((agency_id, year), []).append(int(case_no.rsplit("-", 1)[1]))
    for key, seqs in by_year.items():
        if sorted(seqs) != list(range(1, len(seqs) + 1)):
            problems.append(f"case numbers of {key} repeated or skipped")
    print(
        f"\ncount check: {len(accepted)} registrations and {len(portal)} portal requests accepted,"
        f" {total} cases stored; {len(letters)} letters issued, {pending} still without their"
        f" file after the wait; letter numbers {sum(len(s) for s in series.values())} in"
        f" {len(series)} series"
    )
    for problem in problems[:20]:
        print(f"  PROBLEM: {problem}")
    print("  count check passed: 0 lost writes" if not problems else f"  {len(problems)} problems")
    return not problems


def profile_hot_actions(config: dict) -> None:
    """pyinstrument on the hot actions, in this process against the same database."""
    from django.test import Client
    from pyinstrument import Profiler
    from rest_framework.test import APIClient

    from requests_app.models import Case

    api = APIClient(HTTP_HOST="127.0.0.1")
    api.credentials(HTTP_AUTHORIZATION=f"Token {config['staff']['clerk'][0]['token']}")
    page = Client(HTTP_HOST="127.0.0.1")
    page.cookies["sessionid"] = config["staff"]["handler"][0]["session"]
    case = Case.objects.order_by("-id").first()
    body = {
        "agency": config["agency"], "channel": "in_person", "submitted_on": config["today"],
        "applicant_type": "natural_person", "applicant_name": "剖析", "applicant_phone": "13800001111",
        "applicant_id_number": "11010519491231002X", "delivery_method": "post", "content": "剖析用申请",
        "applicant_address": "压测市人民路2号", "applicant_postcode": "255000",
    }  # fmt: skip
    actions = [
        ("registration (API)", lambda: api.post("/api/v1/requests/", body, format="json")),
        ("page: case", lambda: page.get(f"/cases/{case.public_id}/")),
        ("page: worklist", lambda: page.get("/worklist/?sort=due")),
    ]
    for label, action in actions:
        response = action()
        assert response.status_code in (200, 201), (label, response.status_code, response.content)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(10):
            action()
        profiler.stop()
        print(f"\n--- pyinstrument: {label}, 10 calls ---")
        print(profiler.output_text(unicode=True, color=False, show_all=False)[:6000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clerks", type=int, default=6)
    parser.add_argument("--handlers", type=int, default=8)
    parser.add_argument("--approvers", type=int, default=3)
    parser.add_argument("--supervisors", type=int, default=3)
    parser.add_argument("--public", type=int, default=5, help="public users, one request/s each")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--database", default="ogi_load")
    parser.add_argument(
        "--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7"
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep-dir", action="store_true", help="keep the logs directory")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ogi_load_"))
    config = prepare(args, tmp)
    processes = start(args, tmp)
    print(
        f"stack up in {tmp}: nginx :{NGINX_PORT} -> gunicorn :{WEB_PORTS[0]} and :{WEB_PORTS[1]}"
        f" ({args.web_workers} workers each), 1 Celery worker, 1 beat; PostgreSQL {args.database},"
        f" Redis {args.redis}, shared MEDIA_ROOT {tmp / 'media'}"
    )
    t0 = time.time()
    try:
        results = drive(args, tmp, config)
        pending = wait_for_letters()
    finally:
        stop(processes)
    print(f"run finished at {dt.datetime.now(dt.UTC):%H:%M:%S} UTC ({time.time() - t0:.0f} s)")
    stats_ok = report_stats(tmp, args.seconds)
    counts_ok = count_check(results, pending)
    if args.profile:
        profile_hot_actions(config)
    print("\nload goals met" if stats_ok and counts_ok else "\nLOAD GOALS NOT MET")
    if not args.keep_dir:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"logs kept in {tmp / 'logs'}")


if __name__ == "__main__":
    main()
