"""An S3 simulator for the S3-compatible file store's tests: moto's S3 server (``ThreadedMotoServer``) on
127.0.0.1, spoken to over HTTP by boto3 like a real S3-compatible service, with fake credentials and one
bucket. No S3-compatible server runs here: this simulator is the only S3 the store has met (see
server/blobs_s3.py)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto.server import ThreadedMotoServer

from server.blobs_s3 import S3BlobStore

#: Why the tests that send one chunk from several requests at once skip the simulator.
MOTO_CONCURRENCY = (
    "moto's S3 simulator fails under concurrent writes of one key (it closes the object being replaced "
    "while another request reads it: 'I/O operation on closed file'); S3 itself replaces an object "
    "atomically"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def simulated_s3(prefix: str = "files/") -> Iterator[S3BlobStore]:
    """A fresh bucket on a fresh simulator, and the store on it."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        client = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        bucket = f"motcua-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=bucket)
        yield S3BlobStore(client, bucket, prefix)
        client.close()
    finally:
        server.stop()


def s3_env(store: S3BlobStore) -> dict[str, str]:
    """The environment that makes ``MOTCUA_BLOB_STORE=s3`` open ``store``'s bucket on the simulator."""
    return {
        "MOTCUA_S3_BUCKET": store.bucket,
        "MOTCUA_S3_ENDPOINT": str(store.client.meta.endpoint_url),
        "MOTCUA_S3_PREFIX": store.prefix,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
