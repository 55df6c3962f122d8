#!/usr/bin/env python3
"""Writes data/challenges/*.json, the objective set of docs/quality.md, from the definitions below.

Each definition is written by hand: the objective, its target_schema, and an answer key naming
the entities (with the Debian package or curated page they come from), the facts, the topic
terms and the off-topic terms. This script only fills in what must agree with the corpus the
simulator serves, and checks it:
  - key.source_urls: the URL under which the simulator serves each entity's page. A Debian
    package's page is its Homepage, and of several packages sharing one homepage only the first
    in `apt-cache dumpavail` order gets a page (after the curated pages'), as
    sim/debian_packages.cc decides; the script resolves that the same way.
  - every key fact must occur (as normalised tokens) in one of those pages, and every entity's
    package must exist and have a page; otherwise the script stops, naming what is wrong.

Usage: bench/make_challenges.py [--check] [--verbose]
  --check: compare with the files, write nothing; --verbose: name the package whose page an
  entity's homepage is (often a library package: mosquitto.org is libmosquitto-dev's page)
"""

import hashlib
import json
import os
import re
import subprocess
import sys

from quality_match import name_matches, occurs, tokens

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "data", "challenges")

# Text of the canned compute-marketplace answer and of the other curated topics: an answer about
# message brokers carrying one of these carries another topic's text.
# The phrases of the curated analysis pages: the canned recommendation ("Build first for
# latency-tolerant and single-GPU inference workloads ... stablecoin billing ...") is made of them.
COMPUTE_ANALYSIS = ["latency-tolerant", "stablecoin", "stake-backed", "provider admission",
                    "hardware attestation", "pre-warmed", "provider churn"]
# The analysis pages' advice to a new entrant: drift even in an objective about the networks.
MARKET_ADVICE = ["latency-tolerant", "stake-backed", "provider admission", "hardware attestation"]
COMPUTE = ["decentralized compute", "Akash", "Bittensor", "GPU marketplace", "Golem",
           "Render Network", "io.net", "iExec", "developer onboarding", "DePIN"] + COMPUTE_ANALYSIS
FUNDING = ["funding round", "Series B", "valuation", "Thrive Capital", "mega-rounds",
           "foundation-model labs"]
GPU_PRICES = ["RunPod", "Vast.ai", "Paperspace", "H100", "GPU-hour", "LLMflation"]
# The curated pages that belong to no topic above (news, a storage network, clouds' GPUs).
OTHER_PAGES = ["Filecoin", "Apple Intelligence", "WWDC", "The Merge", "proof-of-stake",
               "Blackwell", "Cloud TPU", "EC2 P5", "AI Act"]
BROKERS = ["message broker", "MQTT", "AMQP"]
COMPRESSION = ["lossless compression", "zstd"]


def others(*own):
    """Off-topic terms: those of every curated topic (and of brokers and compression) except
    the objective's own ones, in a fixed order."""
    groups = {"compute": COMPUTE, "funding": FUNDING, "gpu": GPU_PRICES, "brokers": BROKERS,
              "compression": COMPRESSION, "other": OTHER_PAGES}
    out = []
    for name, terms in groups.items():
        if name not in own:
            out += [t for t in terms if t not in out]
    return out


# Target fields that ask for judgement: an inference subnet earns its cost there; anything
# else the built-in extractive synthesizer fills at no cost.
JUDGEMENT_FIELDS = {"recommendation", "verdict", "advice", "cheapest", "trend"}
SNIPPET_FIELDS = {"summary", "examples", "effective_date", "approach"}


def opt(schema):
    """Pydantic v2's Optional[X] = None."""
    return {"anyOf": [schema, {"type": "null"}], "default": None}


def s(title=None, **kw):
    out = {"type": "string"}
    if title:
        out["title"] = title
    out.update(kw)
    return out


def strs():
    return {"type": "array", "items": {"type": "string"}}


def model(title, properties, required=None, defs=None):
    out = {"title": title, "type": "object", "properties": properties,
           "required": list(properties) if required is None else required}
    if defs:
        out["$defs"] = defs
    return out


def ref(name):
    return {"$ref": "#/$defs/" + name}


def list_of(name):
    return {"type": "array", "items": ref(name)}


# Entities are (name a good answer uses, where its page comes from): "deb:PKG" for a Debian
# package, "url:URL" for a curated page. Names are chosen so that their tokens occur in the
# page's own name ("RabbitMQ" in rabbitmq-server, "sklearn" in python3-sklearn).
CHALLENGES = [
    # ---- software tools and libraries ----
    dict(slug="message_brokers_iot", domain="software", template="tool_comparison",
         topic="open-source message brokers",
         objective="Compare open-source message brokers for IoT telemetry",
         schema={"brokers": [{"name": "str", "protocols": "list", "strengths": "list",
                              "weaknesses": "list"}],
                 "recommendation": "str"},
         entities=[("mosquitto", "deb:mosquitto"), ("RabbitMQ", "deb:rabbitmq-server"),
                   ("NATS", "deb:nats-server"), ("ActiveMQ", "deb:activemq")],
         facts=["MQTT", "AMQP"],
         topic_terms=["message broker", "MQTT", "AMQP", "messaging", "broker"],
         off_topic_terms=others("brokers")),
    dict(slug="json_libraries_c", domain="software", template="tool_comparison",
         topic="JSON libraries for C and C++",
         objective="Which JSON parsing libraries are available for C and C++ projects, and how "
                   "do they differ?",
         schema=model("JsonLibraries", {
             "libraries": list_of("Library"),
             "summary": s("Summary")},
             defs={"Library": model("Library", {
                 "name": s("Name"),
                 "language": {"title": "Language", "enum": ["C", "C++"], "type": "string"},
                 "description": s("Description"),
                 "license": opt(s()),
             }, required=["name", "language", "description"])}),
         entities=[("json-c", "deb:libjson-c-dev"), ("RapidJSON", "deb:rapidjson-dev"),
                   ("nlohmann", "deb:nlohmann-json3-dev"), ("Jansson", "deb:libjansson-dev"),
                   ("simdjson", "deb:libsimdjson-dev"), ("YAJL", "deb:libyajl-dev"),
                   ("cJSON", "deb:libcjson-dev")],
         facts=["JSON for Modern C++", "SAX/DOM", "gigabytes of JSON per second"],
         topic_terms=["JSON", "parser", "parsing"],
         off_topic_terms=others()),
    dict(slug="static_site_generators", domain="software", template="tool_comparison",
         topic="static site generators",
         objective="Compare static site generators for a project's documentation and blog",
         schema={"generators": [{"name": "str", "language": "str", "best_for": "str"}],
                 "summary": "str"},
         entities=[("Hugo", "deb:hugo"), ("Jekyll", "deb:jekyll"), ("Pelican", "deb:pelican"),
                   ("MkDocs", "deb:mkdocs"), ("Sphinx", "deb:python3-sphinx")],
         facts=["written in Go", "project documentation", "blog aware"],
         topic_terms=["static site generator", "static website", "documentation generator",
                      "static site"],
         off_topic_terms=others()),
    dict(slug="version_control", domain="software", template="tool_comparison",
         topic="version control systems",
         objective="Which version control system should a small team adopt besides Git? Compare "
                   "the distributed alternatives",
         hints={"focus": "distributed version control systems packaged for Linux"},
         schema={"systems": [{"name": "str", "distributed": "bool", "notes": "str"}],
                 "recommendation": "str"},
         # Git is the baseline and Subversion is centralized: on topic, not what is asked.
         entities=[("Mercurial", "deb:mercurial"), ("Fossil", "deb:fossil"),
                   ("Darcs", "deb:darcs"), ("Breezy", "deb:brz")],
         sources=["deb:git"],
         facts=["distributed revision control", "built-in wiki"],
         topic_terms=["version control", "revision control", "DSCM"],
         off_topic_terms=others()),
    dict(slug="terminal_editors", domain="software", template="tool_comparison",
         topic="text editors for programmers",
         objective="Recommend a text editor for programmers who work over SSH in a terminal",
         schema=model("EditorChoice", {
             "editors": list_of("Editor"),
             "recommendation": s("Recommendation")},
             defs={"Editor": model("Editor", {
                 "name": s("Name"),
                 "interface": {"title": "Interface", "type": "string",
                               "enum": ["terminal", "gui", "both"]},
                 "learning_curve": {"title": "Learning Curve", "type": "string",
                                    "enum": ["low", "medium", "high"]},
                 "notes": opt(s()),
             }, required=["name", "interface", "learning_curve"])}),
         entities=[("Vim", "deb:vim"), ("Emacs", "deb:emacs"), ("Neovim", "deb:neovim"),
                   ("nano", "deb:nano"), ("Kakoune", "deb:kakoune"), ("micro", "deb:micro")],
         facts=["inspired by Pico", "selection-oriented", "Vi IMproved"],
         topic_terms=["editor", "text editor", "vi"],
         off_topic_terms=others()),
    dict(slug="jq_and_alternatives", domain="software", template="entity_deep_dive",
         topic="command-line JSON processors",
         objective="What does the tool at https://github.com/stedolan/jq do, and which similar "
                   "command-line tools exist?",
         schema={"tool": {"name": "str", "purpose": "str"},
                 "alternatives": [{"name": "str", "purpose": "str"}]},
         entities=[("jq", "deb:jq"), ("yq", "deb:yq"), ("gron", "deb:gron"), ("jo", "deb:jo")],
         facts=["command-line JSON processor", "YAML"],
         topic_terms=["JSON", "command-line", "command line"],
         off_topic_terms=others()),
    # ---- infrastructure ----
    dict(slug="reverse_proxies", domain="infrastructure", template="tool_comparison",
         topic="reverse proxies and load balancers",
         objective="Choose a reverse proxy and load balancer for a small web platform",
         schema=model("ProxyChoice", {
             "proxies": list_of("Proxy"),
             "recommendation": ref("Recommendation")},
             defs={"Proxy": model("Proxy", {
                 "name": s("Name"),
                 "role": {"title": "Role", "type": "string",
                          "enum": ["load balancer", "web server", "cache", "proxy"]},
                 "strengths": strs(), "weaknesses": strs()}),
                 "Recommendation": model("Recommendation", {
                     "choice": s("Choice"), "rationale": s("Rationale")})}),
         entities=[("HAProxy", "deb:haproxy"), ("nginx", "deb:nginx"), ("Varnish", "deb:varnish"),
                   ("Caddy", "deb:caddy"), ("lighttpd", "deb:lighttpd"), ("Squid", "deb:squid"),
                   ("Apache", "deb:apache2")],
         facts=["load balancing reverse proxy", "automatic HTTPS"],
         topic_terms=["proxy", "load balancing", "load balancer", "web server"],
         off_topic_terms=others()),
    dict(slug="monitoring_tsdb", domain="infrastructure", template="tool_comparison",
         topic="monitoring systems and time-series databases",
         objective="Compare open-source monitoring systems and time-series databases for a "
                   "self-hosted server fleet",
         schema={"tools": [{"name": "str", "category": "str", "description": "str"}],
                 "recommendation": "str"},
         entities=[("Prometheus", "deb:prometheus"), ("InfluxDB", "deb:influxdb"),
                   ("Graphite", "deb:graphite-carbon"), ("collectd", "deb:collectd"),
                   ("Zabbix", "deb:zabbix-server-pgsql"), ("Netdata", "deb:netdata"),
                   ("Icinga", "deb:icinga2"), ("Nagios", "deb:nagios4")],
         facts=["time series database", "real-time performance monitoring"],
         topic_terms=["monitoring", "time series", "metrics"],
         off_topic_terms=others()),
    dict(slug="sqlite_vs_servers", domain="infrastructure", template="tool_comparison",
         topic="relational databases",
         objective="When should a small SaaS use SQLite instead of a database server such as "
                   "MariaDB or Firebird?",
         schema=model("DatabaseAdvice", {
             "databases": list_of("Database"),
             "verdict": s("Verdict")},
             defs={"Database": model("Database", {
                 "name": s("Name"),
                 "deployment": {"title": "Deployment", "type": "string",
                                "enum": ["embedded", "client-server"]},
                 "good_for": s("Good For"),
                 "concurrency_notes": opt(s()),
             }, required=["name", "deployment", "good_for"])}),
         entities=[("SQLite", "deb:sqlite3"), ("MariaDB", "deb:mariadb-server"),
                   ("Firebird", "deb:firebird3.0-server")],
         facts=["MariaDB database", "Firebird"],
         topic_terms=["database", "SQL", "RDBMS"],
         off_topic_terms=others()),
    dict(slug="container_runtimes", domain="infrastructure", template="tool_comparison",
         topic="container runtimes",
         objective="Compare Linux container runtimes and engines: which ones run without a "
                   "daemon?",
         schema={"runtimes": [{"name": "str", "kind": "str", "daemonless": "bool"}],
                 "summary": "str"},
         entities=[("Docker", "deb:docker.io"), ("Podman", "deb:podman"),
                   ("containerd", "deb:containerd"), ("runc", "deb:runc"), ("crun", "deb:crun"),
                   ("LXC", "deb:lxc"), ("Buildah", "deb:buildah")],
         facts=["OCI", "container runtime"],
         topic_terms=["container", "OCI"],
         off_topic_terms=others()),
    dict(slug="backup_tools", domain="infrastructure", template="tool_comparison",
         topic="backup programs",
         objective="Pick a backup tool for nightly encrypted off-site backups of Linux servers",
         schema={"tools": [{"name": "str", "deduplication": "bool", "encryption": "bool",
                            "notes": "str"}],
                 "recommendation": "str"},
         entities=[("BorgBackup", "deb:borgbackup"), ("restic", "deb:restic"),
                   ("Duplicity", "deb:duplicity"), ("rsnapshot", "deb:rsnapshot"),
                   ("Bacula", "deb:bacula-director-sqlite3"), ("rdiff-backup", "deb:rdiff-backup")],
         facts=["deduplicating", "encrypted bandwidth-efficient backup", "incremental backup"],
         topic_terms=["backup", "snapshot"],
         off_topic_terms=others()),
    dict(slug="dns_servers", domain="infrastructure", template="tool_comparison",
         topic="DNS servers",
         objective="Which DNS server software should we run for authoritative zones and which "
                   "for recursive resolution?",
         schema=model("DnsPlan", {
             "servers": list_of("Server"),
             "summary": s("Summary")},
             defs={"Server": model("Server", {
                 "name": s("Name"),
                 "role": {"title": "Role", "type": "string",
                          "enum": ["authoritative", "recursive", "forwarder", "both"]},
                 "notes": s("Notes")})}),
         entities=[("BIND 9", "deb:bind9"), ("Unbound", "deb:unbound"), ("Knot", "deb:knot"),
                   ("PowerDNS", "deb:pdns-server"), ("dnsmasq", "deb:dnsmasq"), ("NSD", "deb:nsd")],
         facts=["Internet Domain Name Server", "authoritative domain name server"],
         topic_terms=["DNS", "name server", "nameserver", "resolver"],
         off_topic_terms=others()),
    dict(slug="site_to_site_vpn", domain="infrastructure", template="tool_comparison",
         topic="VPN software",
         objective="Compare VPN software for linking two offices: WireGuard, OpenVPN, strongSwan "
                   "and others",
         hints={"entities": ["WireGuard", "OpenVPN", "strongSwan"]},
         schema={"options": [{"name": "str", "protocol": "str", "pros": "list", "cons": "list"}],
                 "recommendation": "str"},
         entities=[("WireGuard", "deb:wireguard-tools"), ("OpenVPN", "deb:openvpn"),
                   ("strongSwan", "deb:strongswan"), ("tinc", "deb:tinc")],
         facts=["IPsec", "kernel VPN tunnel"],
         topic_terms=["VPN", "virtual private network", "tunnel"],
         off_topic_terms=others()),
    # ---- AI ----
    dict(slug="python_ml_libraries", domain="ai", template="tool_comparison",
         topic="machine-learning libraries for Python",
         objective="Which open-source machine-learning libraries can a Python team install from "
                   "their Linux distribution, and what is each good at?",
         schema=model("MlLibraries", {
             "libraries": list_of("Library"),
             "summary": s("Summary")},
             defs={"Library": model("Library", {
                 "name": s("Name"),
                 "task_types": strs(),
                 "description": s("Description")})}),
         entities=[("PyTorch", "deb:python3-torch"), ("scikit-learn", "deb:python3-sklearn"),
                   ("XGBoost", "deb:python3-xgboost"), ("ONNX", "deb:python3-onnx")],
         facts=["neural networks", "Gradient Boosting"],
         topic_terms=["machine learning", "neural network", "neural networks", "learning"],
         off_topic_terms=others()),
    dict(slug="ocr_engines", domain="ai", template="tool_comparison",
         topic="OCR engines",
         objective="Pick an open-source OCR engine to digitise scanned invoices",
         schema={"engines": [{"name": "str", "strengths": "list", "weaknesses": "list"}],
                 "recommendation": "str"},
         entities=[("Tesseract", "deb:tesseract-ocr"), ("OCRmyPDF", "deb:ocrmypdf"),
                   ("GOCR", "deb:gocr"), ("Ocrad", "deb:ocrad")],
         facts=["OCR text layer to PDF", "optical character recognition"],
         topic_terms=["OCR", "optical character recognition"],
         off_topic_terms=others()),
    dict(slug="offline_tts", domain="ai", template="tool_comparison",
         topic="speech synthesis engines",
         objective="Compare offline text-to-speech engines for an accessibility app",
         schema={"engines": [{"name": "str", "languages": "str", "footprint": "str"}],
                 "recommendation": "str"},
         entities=[("eSpeak NG", "deb:espeak-ng"), ("Festival", "deb:festival"),
                   ("Flite", "deb:flite")],
         facts=["speech synthesizer", "speech synthesis"],
         topic_terms=["speech synthesis", "speech synthesizer", "text-to-speech", "TTS"],
         off_topic_terms=others()),
    dict(slug="ai_mega_rounds_2024", domain="ai", template="market_research",
         topic="AI funding rounds of 2024",
         objective="List the largest AI funding rounds of 2024 with amounts and lead investors, "
                   "and name the trend behind them",
         schema=model("FundingReport", {
             "rounds": list_of("FundingRound"),
             "trend": s("Trend")},
             defs={"FundingRound": model("FundingRound", {
                 "company": s("Company"),
                 "amount_usd": {"title": "Amount Usd", "type": "number"},
                 "round": opt(s()),
                 "lead_investors": strs(),
             }, required=["company", "amount_usd", "lead_investors"])}),
         entities=[("OpenAI", "url:https://openai.com/index/scale-the-benefits-of-ai/"),
                   ("xAI", "url:https://x.ai/blog/series-b"),
                   ("Anthropic", "url:https://www.anthropic.com/news/anthropic-amazon-trainium"),
                   ("Databricks", "url:https://www.databricks.com/company/newsroom/press-releases/"
                                  "databricks-raising-10b-series-j-investment-62b-valuation"),
                   ("Waymo", "url:https://techcrunch.com/2024/10/25/waymo-raises-5-6b-from-"
                             "alphabet-a16z-silver-lake-and-more/"),
                   ("Mistral AI", "url:https://techcrunch.com/2024/06/11/paris-based-ai-startup-"
                                  "mistral-ai-raises-640-million/"),
                   ("Safe Superintelligence",
                    "url:https://www.reuters.com/technology/artificial-intelligence/openai-co-"
                    "founder-sutskevers-new-safety-focused-ai-startup-ssi-raises-1-billion-"
                    "2024-09-04/"),
                   ("Scale AI", "url:https://scale.com/blog/scale-ai-series-f"),
                   ("Figure AI", "url:https://www.prnewswire.com/news-releases/figure-raises-675m-"
                                 "at-2-6b-valuation-and-signs-collaboration-agreement-with-openai-"
                                 "302074897.html"),
                   ("Groq", "url:https://www.prnewswire.com/news-releases/groq-raises-640m-to-"
                            "meet-soaring-demand-for-fast-ai-inference-302214097.html")],
         facts=["$6.6 billion", "Series J", "Thrive Capital"],
         topic_terms=["funding", "raised", "investment", "valuation"],
         # io.net's 2024 Series A is in the corpus (its homepage): not another topic here.
         off_topic_terms=[t for t in others("funding") if t != "io.net"]),
    # ---- markets and pricing ----
    dict(slug="a100_hourly_prices", domain="markets", template="market_pricing",
         topic="A100 GPU cloud pricing",
         objective="Compare on-demand A100 80GB hourly prices across GPU clouds and say which "
                   "is cheapest",
         schema=model("A100Prices", {
             "providers": list_of("Provider"),
             "cheapest": s("Cheapest")},
             defs={"Provider": model("Provider", {
                 "name": s("Name"),
                 "a100_80gb_usd_per_hour": {"title": "A100 80Gb Usd Per Hour", "type": "number",
                                            "minimum": 0},
                 "notes": opt(s()),
             }, required=["name", "a100_80gb_usd_per_hour"])}),
         entities=[("RunPod", "url:https://www.runpod.io/pricing"),
                   ("Vast.ai", "url:https://vast.ai/pricing"),
                   ("Lambda", "url:https://lambdalabs.com/service/gpu-cloud#pricing"),
                   ("Paperspace", "url:https://www.paperspace.com/pricing")],
         facts=["A100", "1.64", "1.79"],
         topic_terms=["A100", "GPU", "per hour", "pricing"],
         off_topic_terms=["Bittensor", "Filecoin", "developer onboarding", "LLMflation"] +
         COMPUTE_ANALYSIS + FUNDING + BROKERS + COMPRESSION + OTHER_PAGES),
    dict(slug="decentralized_compute_pricing", domain="markets", template="market_research",
         topic="how decentralized compute networks charge",
         objective="How do decentralized compute networks charge for workloads? Compare their "
                   "pricing models and payment tokens",
         schema={"networks": [{"name": "str", "pricing_model": "str", "payment_token": "str"}],
                 "summary": "str"},
         entities=[("Akash", "url:https://akash.network/"),
                   ("Golem", "url:https://www.golem.network/"),
                   ("iExec", "url:https://iex.ec/"), ("Flux", "url:https://runonflux.com/"),
                   ("Nosana", "url:https://nosana.com/"),
                   ("Render Network", "url:https://rendernetwork.com/"),
                   ("io.net", "url:https://io.net/")],
         facts=["reverse auction", "GLM", "RLC"],
         topic_terms=["pricing", "decentralized", "compute", "token"],
         off_topic_terms=FUNDING + BROKERS + COMPRESSION + ["Kubernetes", "RunPod", "Paperspace",
                                                           "LLMflation"] + MARKET_ADVICE +
         OTHER_PAGES),
    dict(slug="consumer_gpu_rental", domain="markets", template="market_pricing",
         topic="renting consumer GPUs",
         objective="Where can a hobbyist rent an RTX 4090 by the hour for fine-tuning, and at "
                   "what price tier?",
         schema=model("GpuRental", {
             "offers": list_of("Offer"),
             "advice": s("Advice")},
             defs={"Offer": model("Offer", {
                 "provider": s("Provider"),
                 "usd_per_hour": {"title": "Usd Per Hour", "type": "number"},
                 "tier": {"title": "Tier", "type": "string",
                          "enum": ["budget", "standard", "premium"]},
             })}),
         entities=[("RunPod", "url:https://www.runpod.io/pricing"),
                   ("Vast.ai", "url:https://vast.ai/pricing")],
         facts=["RTX 4090", "0.69", "0.35"],
         topic_terms=["RTX 4090", "GPU", "per hour"],
         off_topic_terms=["Bittensor", "Filecoin", "developer onboarding", "Akash",
                          "LLMflation"] + COMPUTE_ANALYSIS + FUNDING + BROKERS + COMPRESSION + OTHER_PAGES),
    dict(slug="llm_inference_price_trend", domain="markets", template="explainer",
         topic="falling LLM inference prices",
         objective="How fast has the price of LLM inference fallen, and what does that mean for "
                   "pricing a new inference API?",
         schema={"summary": "str"},
         entities=[],
         sources=["url:https://a16z.com/llmflation-llm-inference-cost/"],
         facts=["10x per year", "per million tokens"],
         topic_terms=["inference", "price", "cost", "tokens"],
         off_topic_terms=others("gpu")),
    # ---- single-entity deep dives ----
    dict(slug="zstd_good_for", domain="deep_dive", template="entity_deep_dive",
         topic="the zstd compression format",
         objective="Explain what the zstd compression format is good for",
         schema={"name": "str", "good_for": "list",
                 "alternatives": [{"name": "str", "tradeoff": "str"}], "summary": "str"},
         entities=[("zstd", "deb:zstd"), ("LZ4", "deb:lz4"), ("XZ", "deb:xz-utils"),
                   ("Brotli", "deb:brotli"), ("gzip", "deb:gzip")],
         facts=["fast lossless compression"],
         topic_terms=["compression", "compressor", "compress"],
         off_topic_terms=others("compression")),
    dict(slug="redis_vs_memcached", domain="deep_dive", template="entity_deep_dive",
         topic="Redis",
         objective="What is Redis, and when should a team use it instead of memcached?",
         schema=model("RedisProfile", {
             "name": s("Name"),
             "kind": s("Kind"),
             "use_cases": strs(),
             "compared_with": list_of("Comparison")},
             defs={"Comparison": model("Comparison", {
                 "name": s("Name"), "difference": s("Difference")})}),
         entities=[("Redis", "deb:redis-server"), ("memcached", "deb:memcached")],
         facts=["key-value database", "in-memory object caching"],
         topic_terms=["key-value", "cache", "caching", "in-memory"],
         off_topic_terms=others()),
    dict(slug="akash_deep_dive", domain="deep_dive", template="entity_deep_dive",
         topic="Akash Network",
         objective="Tell me about Akash Network: how deployments work, how pricing works, and "
                   "its weaknesses",
         schema=model("Project", {
             "name": s("Name"),
             "description": s("Description"),
             "pricing": s("Pricing"),
             "strengths": strs(),
             "weaknesses": strs(),
             "founded": opt({"type": "integer"})},
             required=["name", "description", "pricing", "weaknesses"]),
         entities=[("Akash Network", "url:https://akash.network/")],
         facts=["reverse auction", "SDL", "Overclock Labs"],
         topic_terms=["Akash", "deployment", "provider"],
         off_topic_terms=FUNDING + BROKERS + COMPRESSION + MARKET_ADVICE +
         ["Render Network", "Golem", "RunPod", "Paperspace", "LLMflation", "GPU-hour"] +
         OTHER_PAGES),
    dict(slug="mosquitto_url", domain="deep_dive", template="entity_deep_dive",
         topic="Eclipse Mosquitto",
         objective="Summarise what https://mosquitto.org/ offers and which MQTT versions it "
                   "supports",
         schema={"summary": "str", "mqtt_versions": "list"},
         entities=[("mosquitto", "deb:mosquitto")],
         facts=["5.0", "3.1.1"],
         topic_terms=["MQTT", "broker"],
         off_topic_terms=others("brokers")),
    # ---- explainers ----
    dict(slug="mqtt_vs_amqp", domain="explainer", template="explainer",
         topic="MQTT and AMQP",
         objective="Explain how MQTT and AMQP differ for device telemetry",
         schema={"summary": "str"},
         entities=[("mosquitto", "deb:mosquitto"), ("RabbitMQ", "deb:rabbitmq-server")],
         facts=["MQTT", "AMQP"],
         topic_terms=["MQTT", "AMQP", "message broker"],
         off_topic_terms=others("brokers")),
    dict(slug="eu_ai_act", domain="explainer", template="explainer",
         topic="the EU AI Act",
         objective="Explain the EU AI Act: when it entered into force and how it regulates AI",
         schema=model("AiActBrief", {
             "summary": s("Summary"),
             "effective_date": opt({"type": "string", "format": "date"}),
             "approach": s("Approach")},
             required=["summary", "approach"]),
         entities=[],
         sources=["url:https://commission.europa.eu/news-and-media/news/"
                  "ai-act-enters-force-2024-08-01_en"],
         facts=["1 August 2024", "risk-based", "European AI Office"],
         topic_terms=["AI Act", "regulation", "European"],
         off_topic_terms=[t for t in others() if t != "AI Act"]),
    dict(slug="deduplicating_backups", domain="explainer", template="explainer",
         topic="deduplicating backups",
         objective="Explain what deduplicating backup programs do and why they save space",
         schema={"summary": "str", "examples": "list"},
         entities=[("BorgBackup", "deb:borgbackup"), ("restic", "deb:restic")],
         facts=["deduplicating"],
         topic_terms=["backup", "deduplication", "deduplicating"],
         off_topic_terms=others("compression")),
    # ---- objectives the corpus cannot answer ----
    dict(slug="unanswerable_lyon_restaurants", domain="unanswerable", template="market_pricing",
         topic="Michelin-starred restaurants in Lyon",
         objective="Compare the 2025 tasting-menu prices of Michelin-starred restaurants in Lyon",
         schema={"restaurants": [{"name": "str", "stars": "int", "menu_price_eur": "float"}],
                 "summary": "str"},
         entities=[], facts=[],
         topic_terms=["restaurant", "Michelin", "Lyon", "tasting menu"],
         off_topic_terms=others()),
    dict(slug="unanswerable_world_cup_final", domain="unanswerable", template="explainer",
         topic="the 2026 FIFA World Cup final",
         objective="List the starting line-ups of both teams in the 2026 FIFA World Cup final",
         schema=model("Final", {
             "teams": list_of("Team"),
             "final_score": opt(s())},
             required=["teams"],
             defs={"Team": model("Team", {"country": s("Country"), "players": strs()})}),
         entities=[], facts=[],
         topic_terms=["World Cup", "FIFA", "football", "line-up", "lineup"],
         off_topic_terms=others()),
    dict(slug="unanswerable_ev_crash_tests", domain="unanswerable", template="tool_comparison",
         topic="crash-test ratings of electric SUVs",
         objective="Compare the Euro NCAP crash-test ratings of 2025 electric SUVs",
         schema={"vehicles": [{"name": "str", "stars": "int", "adult_occupant_pct": "float"}],
                 "recommendation": "str"},
         entities=[], facts=[],
         topic_terms=["NCAP", "crash test", "crash-test", "SUV", "electric vehicle"],
         off_topic_terms=others()),
    dict(slug="unanswerable_glp1_trials", domain="unanswerable", template="explainer",
         topic="GLP-1 obesity drug trials",
         objective="Summarise the phase 3 trial results of GLP-1 obesity drugs published in 2025",
         schema={"summary": "str"},
         entities=[], facts=[],
         topic_terms=["GLP-1", "obesity", "semaglutide", "tirzepatide"],
         off_topic_terms=others()),
]


def field_names(schema):
    """Every property name of a shorthand or JSON Schema target schema."""
    if isinstance(schema, list):
        return set().union(*(field_names(v) for v in schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    if "properties" in schema or "$defs" in schema:
        names = set(schema.get("properties", {}))
        for sub in list(schema.get("properties", {}).values()) + \
                list(schema.get("$defs", {}).values()):
            names |= field_names(sub)
        return names
    names = set(schema)
    for sub in schema.values():
        names |= field_names(sub)
    return names


def needed_capabilities(c):
    """What an adequate answer needs: search always; scraping unless every top-level field is
    one that search snippets answer (a summary, examples, a date), or when the objective names a
    URL; synthesis by an inference subnet only for judgement fields."""
    schema = c["schema"]
    top = set(schema.get("properties", {})) if "properties" in schema else set(schema)
    caps = ["web_search"]
    if not top <= SNIPPET_FIELDS or "http" in c["objective"]:
        caps.append("web_scraping")
    if field_names(schema) & JUDGEMENT_FIELDS:
        caps.append("synthesis")
    return caps


def normalize_url(url):
    """sim::NormalizeUrl (sim/corpus.cc)."""
    url = url.strip()
    for prefix in ("https://", "http://"):
        if url.lower().startswith(prefix):
            url = url[len(prefix):]
            break
    else:
        if url.startswith("//"):
            url = url[2:]
    if url.lower().startswith("www."):
        url = url[4:]
    url = url.split("#", 1)[0].rstrip("/")
    cut = min([i for i in (url.find("/"), url.find("?")) if i >= 0] or [len(url)])
    return url[:cut].lower() + url[cut:]


def curated_pages():
    pages = {}
    corpus = os.path.join(ROOT, "data", "corpus")
    for name in sorted(os.listdir(corpus)):
        if name.endswith(".json"):
            with open(os.path.join(corpus, name)) as f:
                for doc in json.load(f)["documents"]:
                    pages[doc["url"]] = doc
    return pages


def debian_pages(taken):
    """package name -> (url, page text) for the packages that get a page, as the simulator
    maps `apt-cache dumpavail` (first package per normalised homepage wins)."""
    text = subprocess.run(["apt-cache", "dumpavail"], check=True, capture_output=True,
                          text=True).stdout
    owners, pages = {}, {}
    for para in re.split(r"\n\s*\n", text):
        fields = {}
        for line in para.split("\n"):
            m = re.match(r"^([A-Za-z0-9-]+):\s?(.*)$", line)
            if m and m.group(1).lower() not in fields:
                fields[m.group(1).lower()] = m.group(2).strip()
        name, home = fields.get("package"), fields.get("homepage", "")
        if not name or not re.match(r"(?i)^https?://\S+$", home):
            continue
        key = normalize_url(home)
        if key in taken:
            owners.setdefault(name, taken[key])
            continue
        taken[key] = name
        owners[name] = name
        pages[name] = (home, " ".join([home, name, fields.get("description", ""),
                                       fields.get("section", "")]))
    return owners, pages


def build():
    curated = curated_pages()
    taken = {normalize_url(u): "curated:" + u for u in curated}
    owners, pages = debian_pages(taken)
    problems, files = [], {}
    for c in CHALLENGES:
        urls, texts = [], []
        for name, where in list(c["entities"]) + [(None, w) for w in c.get("sources", [])]:
            kind, _, what = where.partition(":")
            if kind == "url":
                doc = curated.get(what)
                if doc is None:
                    problems.append(f"{c['slug']}: {what} is not a curated page")
                    continue
                urls.append(what)
                texts.append(" ".join([what, doc["title"], doc.get("snippet", ""),
                                       json.dumps(doc.get("fields", {}))]))
            else:
                owner = owners.get(what)
                if owner is None:
                    problems.append(f"{c['slug']}: Debian package {what} is missing or has no "
                                    "homepage")
                    continue
                if owner not in pages:
                    problems.append(f"{c['slug']}: {what}'s homepage belongs to {owner}")
                    continue
                url, text = pages[owner]
                if owner != what and VERBOSE:
                    print(f"note: {c['slug']}: {what}'s page is {owner}'s ({url})",
                          file=sys.stderr)
                urls.append(url)
                texts.append(text)
            if name and not name_matches(name, texts[-1]):
                problems.append(f"{c['slug']}: entity {name!r} does not occur in its page")
        corpus_tokens = [tokens(t) for t in texts]
        for fact in c["facts"]:
            if not any(occurs(fact, t) for t in corpus_tokens):
                problems.append(f"{c['slug']}: fact {fact!r} is in none of its pages")
        challenge = {
            "challenge_id": "0x" + hashlib.sha256(c["slug"].encode()).hexdigest(),
            "objective": c["objective"],
            "target_schema": c["schema"],
            "deadline_ms": c.get("deadline_ms", 30000),
        }
        if c.get("hints"):
            challenge["hints"] = c["hints"]
        reference = {
            "template": c["template"],
            "topic": c["topic"],
            "domain": c["domain"],
            "capabilities": c.get("capabilities", needed_capabilities(c)),
            "answerable": bool(c["entities"] or c["facts"]),
            "key": {
                "entities": [name for name, _ in c["entities"]],
                "facts": c["facts"],
                "topic_terms": c["topic_terms"],
                "off_topic_terms": c["off_topic_terms"],
                "source_urls": list(dict.fromkeys(urls)),
            },
        }
        files[c["slug"] + ".json"] = json.dumps({"challenge": challenge, "reference": reference},
                                                indent=2) + "\n"
    return problems, files


VERBOSE = "--verbose" in sys.argv[1:]


def main():
    check = "--check" in sys.argv[1:]
    problems, files = build()
    for p in problems:
        print("error: " + p, file=sys.stderr)
    if problems:
        return 1
    os.makedirs(OUT, exist_ok=True)
    stale = []
    for name, text in sorted(files.items()):
        path = os.path.join(OUT, name)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            stale.append(name)
            if not check:
                with open(path, "w") as f:
                    f.write(text)
    extra = sorted(set(n for n in os.listdir(OUT) if n.endswith(".json")) - set(files))
    if check:
        for n in stale:
            print(f"differs: data/challenges/{n}", file=sys.stderr)
        for n in extra:
            print(f"not generated here: data/challenges/{n}", file=sys.stderr)
        return 1 if stale or extra else 0
    print(f"{len(files)} challenges in data/challenges ({len(stale)} written)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
