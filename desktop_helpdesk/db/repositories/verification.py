"""The questions a caller answers to prove who they are (answers are stored hashed), and
the checks of their answers (migration 0018), which limit the wrong ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import false, select, text, update

from ...services.dto import VerificationQuestionData
from .. import models as m
from ._sql import Repo

#: pg_advisory_xact_lock's first key for "checking this customer's answers" ("HDSV").
ADVISORY_LOCK_CLASS = 0x48445356


class SqlVerificationRepository(Repo):
    def questions(self, customer_id: int) -> list[VerificationQuestionData]:
        rows = self.s.scalars(select(m.VerificationQuestion).where(m.VerificationQuestion.customer_id == customer_id)
                              .order_by(m.VerificationQuestion.id))
        return [VerificationQuestionData(q.id, q.question) for q in rows]

    def add(self, customer_id: int, question: str, answer_hash: str) -> int:
        q = self._stamped(m.VerificationQuestion(customer_id=customer_id, question=question, answer_hash=answer_hash))
        self.s.add(q)
        self.s.flush()
        return q.id

    def answer_hash(self, question_id: int) -> tuple[int, str]:
        q = self._load(m.VerificationQuestion, question_id)
        return q.customer_id, q.answer_hash

    def replace_answer_hash(self, question_id: int, old: str, new: str) -> bool:
        """Store `new` in place of `old` (a rehash after a good answer). Only if the stored
        hash is still `old`: another desk that rehashed it first has stored an equally good
        one. The row's version is left alone: the answer did not change, so nobody's form of
        the customer is out of date."""
        t = m.VerificationQuestion.__table__
        done = self.s.execute(update(t).where(t.c.id == question_id, t.c.answer_hash == old)
                              .values(answer_hash=new).returning(t.c.id)).first()
        return done is not None

    def start_attempt(self, customer_id: int, question_id: int, operator_id: int | None, at: datetime) -> int:
        """Record that an answer to `question_id` is being checked (matched: None until
        `settle_attempt`), after waiting for any other desk checking this customer's answers:
        the count that follows includes every check before it. PostgreSQL: a transaction
        advisory lock on the customer. SQLite: this insert takes the file's write lock, which
        is held to the end of the transaction (reads before it run outside one)."""
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(text("SELECT pg_advisory_xact_lock(CAST(:cls AS integer), CAST(:customer AS integer))"),
                           {"cls": ADVISORY_LOCK_CLASS, "customer": customer_id})
        attempt = m.VerificationAttempt(customer_id=customer_id, question_id=question_id,
                                        operator_id=operator_id, attempted_at=at, matched=None)
        self.s.add(attempt)
        self.s.flush()
        return attempt.id

    def settle_attempt(self, attempt_id: int, matched: bool) -> None:
        self._load(m.VerificationAttempt, attempt_id).matched = matched
        self.s.flush()

    def failed_attempts_since(self, customer_id: int, since: datetime) -> list[datetime]:
        """When the customer's wrong answers after `since` were given (oldest first)."""
        a = m.VerificationAttempt
        return list(self.s.scalars(select(a.attempted_at).where(
            a.customer_id == customer_id, a.attempted_at > since, a.matched == false()).order_by(a.attempted_at)))

