"""``rapport jobs run auto-tag`` as operators run it: a process over a real database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from application.custom_fields.bundle import CustomFields
from application.custom_fields.commands import NewCustomField
from application.custom_fields.criteria import FieldCondition, Operator
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.principal import Principal
from application.tags.bundle import Tags
from application.tags.commands import NewTag
from application.tags.conditions import FieldsCondition
from bootstrap import Settings, build_container
from domain.custom_fields import FieldType, ObjectType

RAPPORT = str(Path(sys.executable).with_name("rapport"))
SYSTEM = Principal.system()


def test_the_job_tags_matching_customers_once(tmp_path: Path) -> None:
    env = {**os.environ, "RAPPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.db'}"}

    def rapport(*args: str) -> str:
        done = subprocess.run(
            [RAPPORT, *args], env=env, capture_output=True, text=True, timeout=120, check=True
        )
        return done.stderr

    rapport("db", "upgrade")
    container = build_container(Settings.from_env(env))
    database = container.database()  # maps the domain before any aggregate is made
    try:
        container.use(CustomFields).define(
            SYSTEM,
            NewCustomField(
                object_type=ObjectType.CUSTOMER, key="plan", label="Plan", field_type=FieldType.TEXT
            ),
        )
        create = container.use(Customers).create
        pro = [
            create(SYSTEM, NewCustomer(first_name=f"P{i}", custom_fields={"plan": "pro"})).id
            for i in range(3)
        ]
        create(SYSTEM, NewCustomer(first_name="Free", custom_fields={"plan": "free"}))
        tag = container.use(Tags).create(SYSTEM, NewTag(name="Pro", colour="#336699"))
        condition = FieldsCondition((FieldCondition("plan", Operator.EQ, "pro"),))
        container.use(Tags).define_rule(SYSTEM, tag.id, condition)

        assert "1 rules: tagged 3, untagged 0" in rapport("jobs", "run", "auto-tag")
        assert "1 rules: tagged 0, untagged 0" in rapport("jobs", "run", "auto-tag")
        tagged = container.use(Tags).get.of_customers(SYSTEM, pro)
        assert sorted(tagged) == sorted(pro)
    finally:
        database.dispose()
