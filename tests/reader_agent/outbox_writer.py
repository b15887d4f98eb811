"""A reader process that does nothing but decide taps and commit them to its outbox,
for the crash test: after each committed append it prints ``appended <id> <seq>``;
every tenth event it uploads the pending ones and prints ``sent <id> ...``.

    python -m tests.reader_agent.outbox_writer OUTBOX_PATH
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from reader_agent.outbox import Outbox, TapEventDraft
from reader_protocol.events import Decision, TapKind


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    with Outbox.open(Path(sys.argv[1])) as outbox:
        count = 0
        while True:
            draft = TapEventDraft.decided(
                now=datetime.now(UTC),
                kind=TapKind.DOOR,
                decision=Decision.GRANTED if count % 3 else Decision.DENIED,
                reason="ok" if count % 3 else "card_revoked",
                card_id=uuid.uuid4(),
            )
            seq = outbox.append(draft)
            _say(f"appended {draft.id} {seq}")
            count += 1
            if count % 10 == 0:
                batch = outbox.pending(7)
                outbox.mark_sent(event.id for event in batch)
                _say("sent " + " ".join(str(event.id) for event in batch))


if __name__ == "__main__":
    main()
