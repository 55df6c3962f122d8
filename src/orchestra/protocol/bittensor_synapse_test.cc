#include "orchestra/protocol/bittensor_synapse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestra/crypto/keccak.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"

namespace orchestra::protocol {
namespace {

using ::testing::HasSubstr;

const SynapseClass& Orchestra() { return OrchestraSynapseClass(); }

SynapseField MakeField(std::string name, FieldType type, bool required) {
  SynapseField field;
  field.name = std::move(name);
  field.type = type;
  field.required = required;
  return field;
}

BittensorSynapse SampleRequest() {
  BittensorSynapse s;
  s.name = "OrchestraSynapse";
  s.timeout = 30.0;
  s.fields["challenge_id"] = "0x4f2a";
  s.fields["objective"] = "Find GPU prices";
  s.fields["target_schema"] = JsonObject{{"providers", "list[str]"}};
  s.fields["deadline_ms"] = 30000;
  s.dendrite.ip = "10.0.0.1";
  s.dendrite.version = kBittensorVersion;
  s.dendrite.nonce = 1732368000123456789;
  s.dendrite.uuid = "5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a";
  s.dendrite.hotkey = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";
  s.dendrite.signature = "0x" + std::string(128, 'a');
  s.axon.ip = "127.0.0.1";
  s.axon.port = 8091;
  s.axon.hotkey = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
  return s;
}

std::string HeaderValue(const WireHeaders& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return std::string(v);
  }
  return "<absent>";
}

TEST(VersionTest, IsMajorMillionsMinorThousandsPatch) {
  EXPECT_EQ(kBittensorVersion, 10002000);  // bittensor 10.2.0
  EXPECT_EQ(VersionAsInt(7, 2, 0), 7002000);
}

TEST(BodyHashTest, ClassWithoutHashFieldsHashesTheEmptyString) {
  SynapseClass plain{.name = "Plain", .fields = {}, .required_hash_fields = {}};
  BittensorSynapse s;
  // BodyHash returns the constant for such a class: it must be sha3-256 of nothing.
  EXPECT_EQ(crypto::Sha3_256Hex(""), kEmptyBodyHash);
  EXPECT_EQ(BodyHash(plain, s), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

// Python's base Synapse, as validators ping with it: only the base fields, the empty body hash.
TEST(BaseSynapseTest, HasNoFieldsAndTheEmptyBodyHash) {
  const SynapseClass& base = BaseSynapseClass();
  EXPECT_EQ(base.name, "Synapse");
  BittensorSynapse s;
  s.timeout = 5.0;
  EXPECT_EQ(BodyHash(base, s), kEmptyBodyHash);
  const WireHeaders headers = ToHeaders(base, s);
  EXPECT_EQ(HeaderValue(headers, "name"), "Synapse");
  EXPECT_EQ(HeaderValue(headers, "computed_body_hash"), kEmptyBodyHash);
  for (const auto& [name, value] : headers) {
    EXPECT_FALSE(std::string_view(name).starts_with("bt_header_input_obj_")) << name;
  }
  const std::string body = ToBody(base, s);
  auto parsed = ParseJson(body);
  ASSERT_TRUE(parsed.ok());
  std::vector<std::string> keys;
  for (const auto& member : parsed->get_object()) keys.push_back(member.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "timeout", "total_size", "header_size",
                                            "dendrite", "axon", "computed_body_hash"}));
  auto back = SynapseFromBody(base, body);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->name, "Synapse");
  EXPECT_TRUE(back->fields.empty());
}

TEST(BodyHashTest, OrchestraSynapseHashesChallengeIdThenObjective) {
  // hashlib.sha3_256((sha3("0x4f2a") + sha3("Find GPU prices")).encode()).hexdigest()
  EXPECT_EQ(BodyHash(Orchestra(), SampleRequest()),
            "b2518b71743b882626f2d22a53d70af0579142fc4fe698ac0ed44c54a9979ac8");
}

TEST(BodyHashTest, MissingHashFieldHashesAsPythonNone) {
  BittensorSynapse s;
  s.fields["challenge_id"] = "c1";
  EXPECT_EQ(BodyHash(Orchestra(), s),
            "8c5ff88dd6120892b17e52ffbebfbab91ffb4672c6759799a41aae7b00bbff7d");
}

TEST(BodyHashTest, IntegerFieldHashesItsDecimalForm) {
  SynapseClass counted{.name = "Counted",
                       .fields = {MakeField("n", FieldType::kInt, true)},
                       .required_hash_fields = {"n"}};
  BittensorSynapse s;
  s.fields["n"] = 12345;
  // sha3_256(sha3_256(str(12345)).hexdigest())
  EXPECT_EQ(BodyHash(counted, s),
            "8563fa0be977d01938217cc59be06035b5beb1f822826bc85e9b00e3026a96b7");
}

TEST(PythonStrTest, MatchesPythonStrAndRepr) {
  auto json = ParseJson(R"({"a": 1, "b": [1.5, true, null, "it's"], "c": "x\u00a0\u2028\u007f\n",
                            "d": 1e-05, "e": 1e16})");
  ASSERT_TRUE(json.ok());
  // Python: str({'a': 1, 'b': [1.5, True, None, "it's"], 'c': 'x\xa0\u2028\x7f\n', ...})
  EXPECT_EQ(PythonStr(*json),
            R"({'a': 1, 'b': [1.5, True, None, "it's"], 'c': 'x\xa0\u2028\x7f\n', 'd': 1e-05, )"
            R"('e': 1e+16})");
  EXPECT_EQ(PythonStr("plain text"), "plain text");
  EXPECT_EQ(PythonStr(nullptr), "None");
  EXPECT_EQ(PythonStr(false), "False");
  EXPECT_EQ(PythonStr(3.0), "3.0");
  EXPECT_EQ(PythonStr(-7), "-7");
}

TEST(SignatureMessageTest, JoinsNonceHotkeysUuidAndHashWithDots) {
  EXPECT_EQ(SignatureMessage(17, std::string("5Dend"), "5Axon", std::string("u-1"), "abc"),
            "17.5Dend.5Axon.u-1.abc");
  EXPECT_EQ(SignatureMessage(std::nullopt, std::nullopt, "5Axon", std::nullopt, "abc"),
            "None.None.5Axon.None.abc");
}

TEST(HeadersTest, AreLowerCaseInPythonOrderWithEmptyInputObjects) {
  const WireHeaders headers = ToHeaders(Orchestra(), SampleRequest());
  std::vector<std::string> names;
  for (const auto& [name, value] : headers) names.emplace_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "name",
                       "timeout",
                       "bt_header_axon_ip",
                       "bt_header_axon_port",
                       "bt_header_axon_hotkey",
                       "bt_header_dendrite_ip",
                       "bt_header_dendrite_version",
                       "bt_header_dendrite_nonce",
                       "bt_header_dendrite_uuid",
                       "bt_header_dendrite_hotkey",
                       "bt_header_dendrite_signature",
                       "bt_header_input_obj_challenge_id",
                       "bt_header_input_obj_objective",
                       "bt_header_input_obj_target_schema",
                       "header_size",
                       "total_size",
                       "computed_body_hash",
                   }));
  EXPECT_EQ(HeaderValue(headers, "name"), "OrchestraSynapse");
  EXPECT_EQ(HeaderValue(headers, "timeout"), "30.0");
  EXPECT_EQ(HeaderValue(headers, "bt_header_axon_port"), "8091");
  EXPECT_EQ(HeaderValue(headers, "bt_header_dendrite_version"), "10002000");
  EXPECT_EQ(HeaderValue(headers, "bt_header_dendrite_nonce"), "1732368000123456789");
  EXPECT_EQ(HeaderValue(headers, "bt_header_input_obj_challenge_id"), "IiI=");  // ""
  EXPECT_EQ(HeaderValue(headers, "bt_header_input_obj_objective"), "IiI=");
  EXPECT_EQ(HeaderValue(headers, "bt_header_input_obj_target_schema"), "e30=");  // {}
  EXPECT_EQ(HeaderValue(headers, "computed_body_hash"),
            "b2518b71743b882626f2d22a53d70af0579142fc4fe698ac0ed44c54a9979ac8");
}

TEST(HeadersTest, InputObjectsFollowTheFieldType) {
  SynapseClass typed{
      .name = "Typed",
      .fields = {MakeField("n", FieldType::kInt, true), MakeField("items", FieldType::kList, true),
                 MakeField("optional", FieldType::kString, false)},
      .required_hash_fields = {}};
  BittensorSynapse s;
  s.fields["n"] = 5;
  s.fields["items"] = JsonArray{1, 2};
  s.fields["optional"] = "set but not required";
  const WireHeaders headers = ToHeaders(typed, s);
  EXPECT_EQ(HeaderValue(headers, "bt_header_input_obj_n"), "MA==");      // 0
  EXPECT_EQ(HeaderValue(headers, "bt_header_input_obj_items"), "W10=");  // []
  EXPECT_EQ(HeaderValue(headers, "bt_header_input_obj_optional"), "<absent>");
}

TEST(HeadersTest, RoundTripThroughTheParser) {
  const BittensorSynapse sent = SampleRequest();
  auto back = SynapseFromHeaders(Orchestra(), ToHeaders(Orchestra(), sent));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->name, "OrchestraSynapse");
  EXPECT_DOUBLE_EQ(back->timeout, 30.0);
  EXPECT_EQ(CompactJson(ToJson(back->dendrite)), CompactJson(ToJson(sent.dendrite)));
  EXPECT_EQ(CompactJson(ToJson(back->axon)), CompactJson(ToJson(sent.axon)));
  EXPECT_EQ(back->computed_body_hash, BodyHash(Orchestra(), sent));
  EXPECT_EQ(back->fields.at("challenge_id"), "");  // the empty default, as Python parses it
  EXPECT_EQ(back->fields.at("target_schema"), JsonObject{});
}

TEST(HeadersTest, ParserMatchesNamesCaseInsensitivelyAndIgnoresOthers) {
  WireHeaders headers = {{"Content-Type", "application/json"},
                         {"BT_HEADER_DENDRITE_NONCE", "42"},
                         {"bt_header_dendrite_unknown_key", "x"},
                         {"Timeout", " 12 "}};
  auto s = SynapseFromHeaders(Orchestra(), headers);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->dendrite.nonce, 42);
  EXPECT_DOUBLE_EQ(s->timeout, 12.0);
}

TEST(HeadersTest, ParserNamesTheBadHeader) {
  auto bad = [](WireHeaders headers) {
    auto s = SynapseFromHeaders(OrchestraSynapseClass(), headers);
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.error().message;
  };
  EXPECT_EQ(bad({{"bt_header_dendrite_nonce", "12x"}}),
            R"(bt_header_dendrite_nonce: must be an integer, got "12x")");
  EXPECT_EQ(bad({{"bt_header_dendrite_nonce", "99999999999999999999999"}}),
            R"(bt_header_dendrite_nonce: must be an integer, got "99999999999999999999999")");
  EXPECT_EQ(bad({{"timeout", "soon"}}), R"(timeout: must be a number > 0, got "soon")");
  EXPECT_EQ(bad({{"timeout", "nan"}}), R"(timeout: must be a number > 0, got "nan")");
  EXPECT_EQ(bad({{"timeout", "-1"}}), R"(timeout: must be a number > 0, got "-1")");
  EXPECT_EQ(bad({{"timeout", "1"}, {"TIMEOUT", "2"}}), R"(duplicate header "timeout")");
  EXPECT_EQ(bad({{"bt_header_input_obj_objective", "%%%"}}),
            R"(bt_header_input_obj_objective: not valid base64: "%%%")");
  EXPECT_THAT(bad({{"bt_header_input_obj_objective", "e30="}}),
              HasSubstr("bt_header_input_obj_objective: objective: must be a string"));
  EXPECT_THAT(bad({{"bt_header_input_obj_objective", "eyJ9"}}),
              HasSubstr("bt_header_input_obj_objective"));
  EXPECT_EQ(bad({{"bt_header_axon_process_time", "fast"}}),
            R"(bt_header_axon_process_time: must be a number, got "fast")");
  EXPECT_EQ(bad({{"total_size", "\r\n"}}), R"(total_size: must be an integer, got "\x0d\x0a")");
}

TEST(BodyTest, IsEveryFieldInDeclarationOrder) {
  BittensorSynapse s = SampleRequest();
  const std::string body = ToBody(Orchestra(), s);
  auto parsed = ParseJson(body);
  ASSERT_TRUE(parsed.ok());
  std::vector<std::string> keys;
  for (const auto& member : parsed->get_object()) keys.push_back(member.key());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"name", "timeout", "total_size", "header_size", "dendrite",
                                      "axon", "computed_body_hash", "challenge_id", "objective",
                                      "target_schema", "deadline_ms", "hints", "task_pipeline",
                                      "standardized_data", "final_synthesis", "total_cost",
                                      "total_latency_ms", "ledger_version", "provenance"}));
  EXPECT_THAT(body, HasSubstr(R"("computed_body_hash":"")"));
  EXPECT_THAT(body, HasSubstr(R"("timeout":30.0)"));
  EXPECT_THAT(body, HasSubstr(R"("axon":{"status_code":null,"status_message":null,)"));
}

// ToBody writes the body without building a JSON value; these are the bytes CompactJson gives
// for that value, built member by member as the body is specified.
TEST(BodyTest, EqualsTheCompactFormOfTheBodyObject) {
  SynapseClass cls;
  cls.name = "Echo";
  cls.fields.push_back(MakeField("text", FieldType::kString, true));
  cls.fields.push_back(MakeField("timeout", FieldType::kFloat, false));  // shadowed by the base
  cls.fields.push_back(MakeField("scores", FieldType::kList, false));
  cls.fields.back().default_value = JsonArray{1, 2.5};
  cls.fields.push_back(MakeField("extra", FieldType::kAny, false));
  cls.fields.push_back(MakeField("text", FieldType::kAny, false));  // shadowed by the first

  BittensorSynapse s;
  s.timeout = 0.00001;
  s.total_size = 12;
  s.fields["text"] = "quote \" backslash \\ newline \n tab \t \x01 é";
  s.fields["timeout"] = 99;
  s.fields["extra"] = JsonObject{{"b", nullptr}, {"a", JsonArray{true, -3, 1e300}}};
  s.dendrite.process_time = 0.25;
  s.dendrite.nonce = -7;
  s.dendrite.uuid = "u\"1";
  s.axon.status_code = 200;

  JsonObject expected;
  expected.emplace("name", "Echo");
  expected.emplace("timeout", 0.00001);
  expected.emplace("total_size", 12);
  expected.emplace("header_size", 0);
  expected.emplace("dendrite", ToJson(s.dendrite));
  expected.emplace("axon", ToJson(s.axon));
  expected.emplace("computed_body_hash", "");
  expected.emplace("text", s.fields["text"]);
  expected.emplace("scores", JsonArray{1, 2.5});
  expected.emplace("extra", s.fields["extra"]);
  EXPECT_EQ(ToBody(cls, s), CompactJson(expected));
  EXPECT_THAT(ToBody(cls, s), HasSubstr(R"("timeout":1e-05,)"));
}

TEST(BodyTest, AClassAllowingExtraFieldsKeepsAndWritesTheUndeclaredOnes) {
  // A subnet renamed `results` to `items`: its answer carries a field our class lacks.
  SynapseClass cls;
  cls.name = "Search";
  cls.fields.push_back(MakeField("results", FieldType::kAny, false));
  BittensorSynapse s;
  s.fields["results"] = nullptr;
  s.fields["items"] = JsonArray{1, 2};
  EXPECT_EQ(ToBody(cls, s).find("items"), std::string::npos);  // Pydantic's default: ignored
  auto ignored = SynapseFromBody(cls, R"({"name": "Search", "items": [1, 2]})");
  ASSERT_TRUE(ignored.ok());
  EXPECT_FALSE(ignored->fields.contains("items"));

  cls.extra_allowed = true;
  const std::string body = ToBody(cls, s);
  EXPECT_NE(body.find(R"("items":[1,2])"), std::string::npos) << body;
  auto kept = SynapseFromBody(cls, body);
  ASSERT_TRUE(kept.ok()) << kept.error().ToString();
  EXPECT_EQ(CompactJson(kept->fields.at("items")), "[1,2]");
  EXPECT_FALSE(kept->fields.contains("dendrite"));  // base fields stay base fields
}

TEST(BodyTest, RoundTripsThroughTheParser) {
  BittensorSynapse s = SampleRequest();
  s.fields["total_cost"] = 2;  // an int in a float field comes back as a float
  auto back = SynapseFromBody(Orchestra(), ToBody(Orchestra(), s));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->fields.at("objective"), "Find GPU prices");
  EXPECT_TRUE(back->fields.at("total_cost").is_double());
  EXPECT_EQ(back->dendrite.nonce, s.dendrite.nonce);
  EXPECT_EQ(BodyHash(Orchestra(), *back), BodyHash(Orchestra(), s));
}

// SynapseFromBody parses into an arena on its stack: what it returns must hold copies on the
// heap, whether the document fitted the arena's buffer or spilled past it.
TEST(BodyTest, FieldsOwnTheirMemoryAfterTheParseArenaIsGone) {
  for (const size_t padding : {size_t{0}, size_t{20000}}) {
    JsonObject schema{{"type", "object"},
                      {"description", std::string(padding, 'd')},
                      {"properties", JsonObject{{"price", JsonObject{{"type", "number"}}}}}};
    const std::string body = CompactJson(JsonObject{{"challenge_id", "a challenge id string"},
                                                    {"objective", "Find GPU prices"},
                                                    {"target_schema", schema}});
    auto s = SynapseFromBody(Orchestra(), body);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    const boost::json::storage_ptr heap;
    EXPECT_EQ(s->fields.storage().get(), heap.get());
    // Elements share their container's storage (boost::json), so the object's is the one to
    // check.
    EXPECT_EQ(s->fields.at("target_schema"), Json(schema));
    EXPECT_EQ(s->fields.at("challenge_id"), "a challenge id string");
  }
}

// With a storage given (the axon's per-call arena), the fields are built there, and hold
// whole copies: the arena outlives the parse's own.
TEST(BodyTest, FieldsGoOnTheGivenStorage) {
  const std::string objective(20000, 'o');  // spills past the parse's stack arena
  const std::string body = CompactJson(
      JsonObject{{"challenge_id", "c"}, {"objective", objective}, {"target_schema", JsonObject{}}});
  boost::json::monotonic_resource arena;
  const boost::json::storage_ptr storage(&arena);
  auto s = SynapseFromBody(Orchestra(), body, storage);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->fields.storage().get(), storage.get());
  EXPECT_EQ(s->fields.at("objective").as_string(), objective);
  EXPECT_EQ(s->fields.at("target_schema"), JsonObject{});
  // A copy keeps the arena; one made for the heap leaves it.
  EXPECT_EQ(Json(s->fields.at("objective")).storage().get(), storage.get());
  EXPECT_EQ(Json(s->fields.at("objective"), boost::json::storage_ptr()).storage().get(),
            boost::json::storage_ptr().get());
}

TEST(BodyTest, AcceptsPythonStyleNumericStringsInTerminalInfo) {
  auto s = SynapseFromBody(Orchestra(), R"({"challenge_id": "c", "objective": "o",
      "target_schema": {}, "dendrite": {"process_time": "0.25", "status_code": "200"}})");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->dendrite.process_time, 0.25);
  EXPECT_EQ(s->dendrite.status_code, 200);
}

TEST(BodyTest, ErrorsNameTheField) {
  auto bad = [](std::string_view body) {
    auto s = SynapseFromBody(OrchestraSynapseClass(), body);
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.error().message;
  };
  EXPECT_EQ(bad(R"({"objective": "o", "target_schema": {}})"), "challenge_id: field required");
  EXPECT_EQ(bad(R"({"challenge_id": "c", "objective": 42, "target_schema": {}})"),
            "objective: must be a string, got 42");
  EXPECT_EQ(bad(R"({"challenge_id": "c", "objective": "o", "target_schema": []})"),
            "target_schema: must be an object, got []");
  EXPECT_EQ(bad(R"({"challenge_id": "c", "objective": "o", "target_schema": {},
                    "deadline_ms": 1.5})"),
            "deadline_ms: must be an integer, got 1.5");
  EXPECT_EQ(bad(R"({"challenge_id": null, "objective": "o", "target_schema": {}})"),
            "challenge_id: must be a string, got null");
  EXPECT_EQ(bad(R"({"challenge_id": "c", "objective": "o", "target_schema": {},
                    "dendrite": {"nonce": "x"}})"),
            R"(dendrite: nonce: must be an integer, got "x")");
  EXPECT_EQ(bad("[1]"), "body: must be a JSON object");
  EXPECT_THAT(bad("{"), HasSubstr("body"));
}

TEST(SignatureTest, SignedMessageVerifiesAgainstTheSs58Hotkey) {
  crypto::MiniSecret seed{};
  seed[0] = 7;
  const crypto::Keypair key = crypto::Keypair::FromMiniSecret(seed);
  const std::string address = crypto::Ss58Encode(key.public_key().bytes());
  const std::string message = SignatureMessage(1, address, "5Axon", std::string("u"), "h");
  const std::string signature = SignMessage(key, message);
  ASSERT_EQ(signature.size(), 130u);
  EXPECT_EQ(signature.substr(0, 2), "0x");
  EXPECT_TRUE(VerifyMessageSignature(address, message, signature).ok());
  // Substrate wallets sign "<Bytes>message</Bytes>"; the axon accepts that too.
  const std::string wrapped = SignMessage(key, "<Bytes>" + message + "</Bytes>");
  EXPECT_TRUE(VerifyMessageSignature(address, message, wrapped).ok());
}

TEST(SignatureTest, RejectsTamperingAndBadEncodingsWithReasons) {
  crypto::MiniSecret seed{};
  seed[0] = 9;
  const crypto::Keypair key = crypto::Keypair::FromMiniSecret(seed);
  const std::string address = crypto::Ss58Encode(key.public_key().bytes());
  const std::string signature = SignMessage(key, "m");
  auto mismatch = VerifyMessageSignature(address, "m2", signature);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().message, "Signature mismatch with m2 and " + signature);
  auto bad_hex = VerifyMessageSignature(address, "m", "0xzz");
  ASSERT_FALSE(bad_hex.ok());
  EXPECT_THAT(bad_hex.error().message, HasSubstr("signature"));
  auto short_sig = VerifyMessageSignature(address, "m", "0xabcd");
  ASSERT_FALSE(short_sig.ok());
  EXPECT_EQ(short_sig.error().message, "signature: must be 64 bytes, got 2");
  auto bad_address = VerifyMessageSignature("not-an-address", "m", signature);
  ASSERT_FALSE(bad_address.ok());
  EXPECT_THAT(bad_address.error().message, HasSubstr("dendrite hotkey \"not-an-address\""));
}

}  // namespace
}  // namespace orchestra::protocol
