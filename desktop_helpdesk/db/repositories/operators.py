"""Staff: the operators who log tickets and calls."""

from __future__ import annotations

from sqlalchemy import select

from ...services.dto import OperatorData, OperatorDraft
from .. import models as m
from ._sql import Repo, flush, take_code


class SqlOperatorRepository(Repo):
    def all(self) -> list[OperatorData]:
        rows = self.s.scalars(select(m.Operator).order_by(m.Operator.full_name)).all()
        return [OperatorData(o.id, o.code, o.full_name, o.alias, o.role, o.active, o.login or "", o.team or "") for o in rows]

    def add(self, draft: OperatorDraft) -> int:
        # From the code counter (the next free number): two desks adding at once get different codes.
        code = draft.code or take_code(self.s, m.Operator.code, "NV", 3)
        op = self._stamped(m.Operator(code=code, full_name=draft.full_name, alias=draft.alias, role=draft.role))
        self.s.add(op)
        flush(self.s, "code", code)
        return op.id
