"""A bot written with pywa, run against `sehat whatsapp mock serve`.

    python bot.py --base-url http://127.0.0.1:PORT/ --phone-id ID --to NUMBER
                  [--webhook-port N --app-secret SECRET]

Every call goes through pywa's own client and must come back as the type pywa promises;
any failure raises and exits non-zero. One JSON line per call goes to stdout:
{"call": ..., "type": ..., ...}, and a last line {"ok": true, "calls": N}.

pywa has no base-URL option: its API class sets the `base_url` of the httpx client it is
given to https://graph.facebook.com/v{api_version} and sends every request to a path
relative to it. The bot therefore hands pywa its own httpx client and points that client
at the mock afterwards, with httpx's public `base_url` setter.

With --webhook-port, the bot also listens on 127.0.0.1:N for the mock's status webhooks
and passes each through pywa's signature check (`webhook_update_validator`, with the app
secret) and pywa's update handling, which builds typed `MessageStatus` updates.
"""

import argparse
import http.server
import json
import re
import sys
import threading
import time

import httpx
import pywa
from pywa import WhatsApp
from pywa.handlers import MessageStatusHandler
from pywa.types import (
    BusinessPhoneNumber,
    BusinessProfile,
    Button,
    Industry,
    MediaURL,
    MessageStatus,
    MessageStatusType,
)
from pywa.types.media import Media
from pywa.types.others import SuccessResult
from pywa.types.sent_update import (
    SentMediaMessage,
    SentMessage,
    SentReaction,
    SentTemplate,
    SentTemplateStatus,
)
from pywa.types.templates import BodyText, TemplateLanguage

API_VERSION = "26.0"
# The smallest valid PNG: a 1x1 transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

calls = 0


def report(call: str, result: object, **detail: object) -> None:
    global calls
    calls += 1
    line = {"call": call, "type": type(result).__name__, **detail}
    print(json.dumps(line, ensure_ascii=False), flush=True)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def sent(call: str, result: object, expected: type, to: str) -> str:
    """Checks a send's typed result and reports it; returns the message id."""
    check(type(result) is expected, f"{call}: {type(result).__name__}, not {expected.__name__}")
    check(result.id.startswith("wamid."), f"{call}: id {result.id!r}")
    check(result.input == to, f"{call}: input {result.input!r}")
    check(result.chat.id == to, f"{call}: chat {result.chat.id!r}")
    report(call, result, id=result.id, input=result.input)
    return result.id


class Receiver(http.server.BaseHTTPRequestHandler):
    """Takes the mock's status webhooks and hands them to pywa."""

    wa: WhatsApp
    bodies: list
    rejected: list

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        signature = self.headers.get("X-Hub-Signature-256")
        error = self.wa.webhook_update_validator(body, signature)
        if error is None:
            self.bodies.append((body, signature))
            text, status = self.wa.webhook_update_handler(body)
        else:
            self.rejected.append(error)
            text, status = error
        self.send_response(status)
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *args: object) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--phone-id", required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--webhook-port", type=int)
    parser.add_argument("--app-secret")
    args = parser.parse_args()
    to = args.to

    session = httpx.Client(timeout=10)
    wa = WhatsApp(
        phone_id=args.phone_id,
        token="any-token-the-mock-accepts",
        session=session,
        api_version=API_VERSION,
        app_secret=args.app_secret,
        validate_updates=args.app_secret is not None,
    )
    session.base_url = f"{args.base_url.rstrip('/')}/v{API_VERSION}"
    print(json.dumps({"pywa": pywa.__version__, "httpx": httpx.__version__}), flush=True)

    statuses: list[MessageStatus] = []
    lock = threading.Lock()

    def on_status(_: WhatsApp, status: MessageStatus) -> None:
        with lock:
            statuses.append(status)

    server = None
    if args.webhook_port is not None:
        wa.add_handlers(MessageStatusHandler(on_status))
        Receiver.wa, Receiver.bodies, Receiver.rejected = wa, [], []
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.webhook_port), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()

    ids = {}
    ids["text"] = sent(
        "send_message(text)",
        wa.send_message(to=to, text="Halo! Jadwal imunisasi Budi: 12 Desember."),
        SentMessage,
        to,
    )
    buttons = wa.send_message(
        to=to,
        text="Apakah Ibu bisa datang ke Posyandu?",
        header="Posyandu Melati",
        footer="Balas dengan tombol",
        buttons=[
            Button(title="Konfirmasi", callback_data="konfirmasi"),
            Button(title="Ubah jadwal", callback_data="ubah"),
        ],
    )
    ids["buttons"] = sent("send_message(buttons)", buttons, SentMessage, to)
    ids["image"] = sent(
        "send_image(link)",
        wa.send_image(
            to=to, image="https://example.org/kms/budi.png", caption="Grafik KMS Budi"
        ),
        SentMediaMessage,
        to,
    )
    ids["location"] = sent(
        "send_location",
        wa.send_location(
            to=to,
            latitude=-6.2088,
            longitude=106.8456,
            name="Posyandu Melati",
            address="Jl. Kesehatan No. 1, Jakarta",
        ),
        SentMessage,
        to,
    )
    ids["reaction"] = sent(
        "send_reaction",
        wa.send_reaction(to=to, emoji="\N{THUMBS UP SIGN}", message_id=ids["text"]),
        SentReaction,
        to,
    )
    template = wa.send_template(
        to=to,
        name="pengingat_imunisasi",
        language=TemplateLanguage.INDONESIAN,
        params=[BodyText.params(nama_anak="Budi", tanggal="12 Desember 2026")],
    )
    ids["template"] = sent("send_template(named params)", template, SentTemplate, to)
    check(template.status == SentTemplateStatus.ACCEPTED, f"template status {template.status!r}")

    read = wa.mark_message_as_read(message_id=ids["text"])
    check(isinstance(read, SuccessResult) and read.success, f"mark_message_as_read: {read!r}")
    report("mark_message_as_read", read, success=read.success)

    media = wa.upload_media(media=PNG, mime_type="image/png", filename="kms.png")
    check(isinstance(media, Media) and media.id.isdigit(), f"upload_media: {media!r}")
    report("upload_media", media, id=media.id)

    url = wa.get_media_url(media_id=media.id)
    check(isinstance(url, MediaURL), f"get_media_url: {url!r}")
    check(url.mime_type == "image/png" and int(url.file_size) == len(PNG), f"{url!r}")
    report("get_media_url", url, mime_type=url.mime_type, file_size=url.file_size)

    data = wa.get_media_bytes(url=url.url)
    check(data == PNG, "get_media_bytes: the bytes differ from the upload")
    report("get_media_bytes", data, length=len(data))

    ids["image_by_id"] = sent(
        "send_image(uploaded media)",
        wa.send_image(to=to, image=media, caption="KMS"),
        SentMediaMessage,
        to,
    )

    profile = wa.get_business_profile()
    check(isinstance(profile, BusinessProfile), f"get_business_profile: {profile!r}")
    check(profile.industry == Industry.HEALTH, f"industry {profile.industry!r}")
    check(bool(profile.about) and bool(profile.websites), f"{profile!r}")
    report(
        "get_business_profile",
        profile,
        industry=str(profile.industry),
        about=profile.about,
        websites=list(profile.websites or ()),
    )

    number = wa.get_business_phone_number()
    check(isinstance(number, BusinessPhoneNumber), f"get_business_phone_number: {number!r}")
    check(number.id == args.phone_id, f"phone number id {number.id!r}")
    check(bool(number.display_phone_number) and bool(number.verified_name), f"{number!r}")
    report(
        "get_business_phone_number",
        number,
        id=number.id,
        verified_name=number.verified_name,
        quality_rating=str(number.quality_rating),
    )

    if server is not None:
        # Meta reports sent, delivered and read for a message, and only sent for a reaction.
        expected = {
            (mid, kind)
            for name, mid in ids.items()
            for kind in (
                [MessageStatusType.SENT]
                if name == "reaction"
                else [MessageStatusType.SENT, MessageStatusType.DELIVERED, MessageStatusType.READ]
            )
        }
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with lock:
                got = {(s.id, s.status) for s in statuses}
            if got >= expected:
                break
            time.sleep(0.05)
        # A moment more, for anything unexpected still on its way.
        time.sleep(0.3)
        with lock:
            got = [(s.id, s.status) for s in statuses]
        check(not Receiver.rejected, f"pywa rejected webhooks: {Receiver.rejected}")
        check(set(got) == expected, f"statuses: missing {expected - set(got)}, extra {set(got) - expected}")
        check(len(got) == len(expected), f"{len(got)} statuses for {len(expected)} expected")
        check(all(type(s) is MessageStatus for s in statuses), "statuses are MessageStatus")
        users = {(s.from_user.wa_id, s.from_user.bsuid) for s in statuses}
        check(len(users) == 1, f"one user in every status: {users}")
        ((wa_id, bsuid),) = users
        check(wa_id == to, f"from_user.wa_id {wa_id!r}")
        check(re.fullmatch(r"ID\.\d{16}", bsuid) is not None, f"from_user.bsuid {bsuid!r}")
        body, signature = Receiver.bodies[0]
        tampered = body.replace(b'"status"', b'"Status"', 1)
        check(
            wa.webhook_update_validator(tampered, signature) is not None,
            "pywa accepted a tampered webhook body",
        )
        report(
            "webhooks(MessageStatusHandler)",
            statuses[0],
            statuses=len(got),
            sent=sum(1 for _, k in got if k == MessageStatusType.SENT),
            delivered=sum(1 for _, k in got if k == MessageStatusType.DELIVERED),
            read=sum(1 for _, k in got if k == MessageStatusType.READ),
            signatures_checked=len(Receiver.bodies),
            from_user_wa_id=wa_id,
            from_user_bsuid=bsuid,
        )
        server.shutdown()

    print(json.dumps({"ok": True, "calls": calls}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
