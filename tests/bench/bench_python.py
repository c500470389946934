#!/usr/bin/env python3
# bench_python.py — "parse and extract" with Python's email package (policy.default): parse,
# decode every header, get_body / iter_attachments and get_content on every leaf part.
"""Same command line and result line as the C programs (see README.md)."""
import argparse
import email
import email.policy
import json
import platform
import resource
import time


def max_rss_kb():
    """VmHWM (reset at exec, unlike ru_maxrss, which keeps the runner's peak), else ru_maxrss."""
    try:
        with open('/proc/self/status', encoding='ascii') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def touch_headers(part):
    total = 0
    for _name, value in part.items():
        total += len(str(value))
    return total


def content_size(part):
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError, KeyError):
        return -1
    return len(content) if content is not None else 0


def parse_and_extract(data):
    """Returns the size of what was extracted, or -1 when something raised."""
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        total = 0
        failed = False
        for part in msg.walk():
            total += touch_headers(part)
            if not part.is_multipart():
                size = content_size(part)
                failed |= size < 0
                total += max(size, 0)
        body = msg.get_body(preferencelist=('plain', 'html'))
        if body is not None:
            total += max(content_size(body), 0)
        for attachment in msg.iter_attachments():
            total += max(content_size(attachment), 0)
        return -1 if failed else total
    except Exception:  # a peer failing on hostile input is a result, not a crash
        return -1


def run_pass(messages):
    errors = checksum = 0
    for data in messages:
        got = parse_and_extract(data)
        if got < 0:
            errors += 1
        else:
            checksum += got
    return errors, checksum


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--min-seconds', type=float, default=2.0)
    ap.add_argument('--max-iterations', type=int, default=1000)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('list')
    args = ap.parse_args()
    with open(args.list, encoding='utf-8') as f:
        paths = [line.strip() for line in f if line.strip()]
    messages = []
    for path in paths:
        with open(path, 'rb') as f:
            messages.append(f.read())
    for _ in range(args.warmup):
        run_pass(messages)
    iterations = 0
    start = time.perf_counter()
    while True:
        errors, checksum = run_pass(messages)  # those of the last pass
        iterations += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.min_seconds or iterations >= args.max_iterations:
            break
    print(json.dumps({
        'impl': 'python-email', 'messages': len(messages),
        'bytes': sum(len(m) for m in messages), 'iterations': iterations,
        'seconds': elapsed, 'errors': errors,
        'max_rss_kb': max_rss_kb(),
        'checksum': checksum, 'version': platform.python_version()}), flush=True)


if __name__ == '__main__':
    main()
