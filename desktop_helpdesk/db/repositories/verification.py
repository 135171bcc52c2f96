"""The questions a caller answers to prove who they are (answers are stored hashed)."""

from __future__ import annotations

from sqlalchemy import select

from ...services.dto import VerificationQuestionData
from .. import models as m
from ._sql import Repo


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
