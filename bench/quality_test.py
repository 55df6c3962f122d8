"""The metric definitions of docs/quality.md, as bench/quality.py computes them."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality import judge_item, measure, missing_fields  # noqa: E402
from quality_match import name_matches  # noqa: E402

KEY = {"entities": ["RabbitMQ", "mosquitto", "jq", "BIND 9"], "facts": ["MQTT"],
       "topic_terms": ["message broker"], "off_topic_terms": ["Akash", "GPU marketplace"]}


class NameMatchTest(unittest.TestCase):
    def test_entity_tokens_inside_a_package_name_match(self):
        self.assertTrue(name_matches("RabbitMQ", "rabbitmq-server"))

    def test_long_entity_inside_a_library_package_name_matches(self):
        self.assertTrue(name_matches("mosquitto", "libmosquitto-dev"))
        self.assertTrue(name_matches("BIND 9", "bind9"))

    def test_short_entity_matches_whole_tokens_only(self):
        self.assertFalse(name_matches("git", "digital"))
        self.assertFalse(name_matches("jq", "jquery"))
        self.assertTrue(name_matches("jq", "jq"))


class JudgeItemTest(unittest.TestCase):
    def test_item_naming_a_key_entity_is_on_topic(self):
        self.assertEqual(judge_item({"name": "rabbitmq-server"}, KEY), "entity")

    def test_item_with_a_topic_term_is_on_topic(self):
        item = {"name": "garagemq", "description": "AMQP message broker written in Go"}
        self.assertEqual(judge_item(item, KEY), "topic")

    def test_item_with_an_off_topic_term_is_off_topic_despite_a_topic_term(self):
        item = {"name": "x", "description": "a message broker for the Akash GPU marketplace"}
        self.assertEqual(judge_item(item, KEY), "off")

    def test_item_with_only_an_unknown_name_is_off_topic(self):
        self.assertEqual(judge_item({"name": "nixnote2"}, KEY), "off")

    def test_every_item_is_off_topic_when_the_corpus_cannot_answer(self):
        key = {"entities": [], "facts": [], "topic_terms": ["restaurant"], "off_topic_terms": []}
        self.assertEqual(judge_item({"name": "Chez Paul", "kind": "restaurant"}, key), "off")


class MissingFieldsTest(unittest.TestCase):
    def test_shorthand_empty_list_in_an_entity_item_is_missing(self):
        schema = {"competitors": [{"name": "str", "strengths": "list"}], "recommendation": "str"}
        data = {"competitors": [{"name": "a", "strengths": []}, {"name": "b", "strengths": ["x"]}],
                "recommendation": "go"}
        self.assertEqual(missing_fields(schema, data), ["$.competitors[0].strengths"])

    def test_json_schema_optional_null_is_not_missing_but_required_empty_is(self):
        schema = {"type": "object", "required": ["items"],
                  "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/I"}},
                                 "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
                  "$defs": {"I": {"type": "object", "required": ["name"],
                                  "properties": {"name": {"type": "string"},
                                                 "tags": {"type": "array"}}}}}
        self.assertEqual(missing_fields(schema, {"items": [{"name": "", "tags": []}],
                                                 "note": None}), ["$.items[0].name"])
        self.assertEqual(missing_fields(schema, {"items": []}), ["$.items"])


class MeasureTest(unittest.TestCase):
    GENERATED = {"challenge": {"target_schema": {"brokers": [{"name": "str"}], "summary": "str"}},
                 "reference": {"key": KEY, "capabilities": ["web_search"]}}
    FAMILIES = {"SN22": "search", "SN33": "scrape", "SN1": "inference"}

    def response(self, synthesis):
        return {"standardized_data": {"brokers": [{"name": "rabbitmq-server"}, {"name": "cbios"}],
                                      "summary": "brokers"},
                "final_synthesis": synthesis,
                "task_pipeline": [{"subnet": "SN22"}, {"subnet": "SN33"}, {"subnet": "SN1"}],
                "total_cost": 0.005, "total_latency_ms": 900}

    def test_precision_recall_and_unneeded_calls(self):
        m = measure(self.GENERATED, self.response("RabbitMQ speaks AMQP"), None, self.FAMILIES)
        self.assertEqual(m["precision"], 0.5)
        self.assertEqual(m["recall"], 0.25)
        self.assertEqual(m["calls"], 3)
        self.assertEqual(m["unneeded_calls"], 2)
        self.assertEqual(m["repeated_calls"], 0)
        self.assertEqual(m["drift"], [])

    def test_a_repeated_successful_call_is_counted(self):
        response = self.response("")
        response["task_pipeline"] = [{"subnet": "SN22", "query": {"q": "mqtt"}},
                                     {"subnet": "SN22", "query": {"q": "mqtt"}, "error": "429"},
                                     {"subnet": "SN22", "query": {"q": "mqtt"}}]
        m = measure(self.GENERATED, response, None, self.FAMILIES)
        self.assertEqual(m["repeated_calls"], 1)

    def test_off_topic_text_in_the_synthesis_is_another_topics_text(self):
        m = measure(self.GENERATED, self.response("Akash leads the GPU marketplace"), None,
                    self.FAMILIES)
        self.assertEqual(m["drift"], ["Akash", "GPU marketplace"])


if __name__ == "__main__":
    unittest.main()
