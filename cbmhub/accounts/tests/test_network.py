"""The client's address behind trusted proxies (pure functions, no database)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cbmhub.accounts.network import MAX_HOPS, client_address, parse_trusted_proxies

NONE = parse_trusted_proxies("")
ONE = parse_trusted_proxies("1")
TWO = parse_trusted_proxies("2")
LISTED = parse_trusted_proxies("10.0.0.0/24, 192.168.1.7, ::1")


def meta(peer: str, forwarded: str | None = None) -> dict[str, str]:
    out = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        out["HTTP_X_FORWARDED_FOR"] = forwarded
    return out


def test_parse_reads_a_count_or_a_list():
    assert NONE.count == 0 and NONE.networks == ()
    assert ONE.count == 1
    assert [str(n) for n in LISTED.networks] == ["10.0.0.0/24", "192.168.1.7/32", "::1/128"]


@pytest.mark.parametrize(("value", "entry"), [("10.0.0.1, proxy.local", "2"), ("1,2", "1")])
def test_parse_names_the_entry_it_cannot_read(value, entry):
    with pytest.raises(ValueError, match=rf"entry {entry} \("):
        parse_trusted_proxies(value)


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(meta("203.0.113.9", "192.0.2.1"), NONE) == "203.0.113.9"


def test_one_proxy_takes_the_last_entry():
    assert client_address(meta("10.0.0.2", "192.0.2.1, 203.0.113.9"), ONE) == "203.0.113.9"


def test_two_proxies_take_the_entry_before_the_last():
    header = "192.0.2.1, 203.0.113.9, 10.0.0.3"
    assert client_address(meta("10.0.0.2", header), TWO) == "203.0.113.9"


def test_a_listed_proxy_is_passed_over_and_a_stranger_is_the_client():
    header = "192.0.2.1, 203.0.113.9, 10.0.0.3"
    assert client_address(meta("192.168.1.7", header), LISTED) == "203.0.113.9"
    # A peer that is not a listed proxy is the client, whatever it claims.
    assert client_address(meta("198.51.100.1", header), LISTED) == "198.51.100.1"


def test_missing_or_garbled_entries_leave_the_last_trusted_address():
    assert client_address(meta("10.0.0.2"), ONE) == "10.0.0.2"
    assert client_address(meta("10.0.0.2", "not-an-address"), ONE) == "10.0.0.2"
    assert client_address(meta("10.0.0.2", "1.2.3.4, junk, 10.0.0.3"), LISTED) == "10.0.0.3"


def test_ports_and_ipv6_are_read():
    assert client_address(meta("10.0.0.2", "203.0.113.9:51234"), ONE) == "203.0.113.9"
    assert client_address(meta("::1", "[2001:db8::7]:443"), LISTED) == "2001:db8::7"
    assert client_address(meta("::1", "2001:db8::8"), LISTED) == "2001:db8::8"


def test_a_huge_header_is_read_only_to_a_bound():
    header = ", ".join(["10.0.0.9"] * 100_000)
    # Every hop is a listed proxy: the walk stops after MAX_HOPS entries.
    assert client_address(meta("10.0.0.2", header), LISTED) == "10.0.0.9"
    assert MAX_HOPS < 100


def test_a_bad_setting_stops_the_app_with_the_entry_named():
    env = {**os.environ, "CBMHUB_TESTING": "1", "CBMHUB_TRUSTED_PROXIES": "10.0.0.1,proxy"}
    result = subprocess.run(
        [sys.executable, "-c", "import cbmhub.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: CBMHUB_TRUSTED_PROXIES: entry 2 ('proxy')" in result.stderr
