#!/usr/bin/python3
"""Checks deploy/ without Docker or a cluster: every manifest parses, names
what exists (images built by our Dockerfiles, flags attestd and attest
accept, config keys attestd's own parser accepts, volumes, selectors, ports),
the runtime image stages install every shared library the built binaries
load, and the systemd unit passes `systemd-analyze verify`.

usage: manifest_check.py REPO_ROOT ATTESTD_BINARY ATTEST_BINARY [TestClass.test_name ...]
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

REPO = ATTESTD = ATTEST = ""
DOCKER_DIR = "deploy/docker"
IMAGE_DOCKERFILES = ["Dockerfile", "Dockerfile.cuda"]  # attestd images
ALL_DOCKERFILES = IMAGE_DOCKERFILES + ["Dockerfile.devchain"]
SERVICE_UID = "10001"


def read(rel):
    with open(os.path.join(REPO, rel), encoding="utf-8") as f:
        return f.read()


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def help_flags(*command):
    """Long flags that `command --help` lists."""
    out = run(list(command) + ["--help"]).stdout
    return set(re.findall(r"(--[a-z][a-z0-9-]*)", out))


def flags_in(args):
    return {a.split("=", 1)[0] for a in args if a.startswith("--")}


class Dockerfile:
    """Instructions of a Dockerfile, continuation lines joined, per stage."""

    def __init__(self, rel):
        self.rel = rel
        text = re.sub(r"\\\n", " ", read(rel))
        self.stages = []  # list of (from_line, [(instruction, args)])
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            instr, _, args = line.partition(" ")
            instr = instr.upper()
            if instr == "FROM":
                self.stages.append((args, []))
            elif self.stages:
                self.stages[-1][1].append((instr, args.strip()))

    def final(self):
        return self.stages[-1][1]

    def final_args(self, instr):
        return [a for i, a in self.final() if i == instr]

    def ref_name(self):
        for label in self.final_args("LABEL"):
            m = re.search(r'org\.opencontainers\.image\.ref\.name="([^"]+)"', label)
            if m:
                return m.group(1)
        return None

    def runtime_packages(self):
        """Packages between the runtime-packages markers of the final stage."""
        raw = read(self.rel)
        m = re.search(r"# runtime-packages-begin\n(.*?)# runtime-packages-end", raw, re.S)
        if not m:
            return None
        body = re.sub(r"\\\n", " ", m.group(1))
        install = re.search(r"apt-get install ([^&]*)", body).group(1)
        return {w for w in install.split() if not w.startswith("-") and "=" not in w}


def packages_of(paths):
    """realpath -> package for shared libraries, from dpkg's file lists (one
    pass over /var/lib/dpkg/info; `dpkg -S` per library takes minutes)."""
    wanted = {}
    for p in paths:
        wanted.setdefault(os.path.basename(p), set()).add(os.path.realpath(p))
    found = {}
    info = "/var/lib/dpkg/info"
    for name in os.listdir(info):
        if not name.endswith(".list"):
            continue
        pkg = name[:-len(".list")].split(":")[0]
        with open(os.path.join(info, name), encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                base = line.rsplit("/", 1)[-1]
                if base in wanted:
                    real = os.path.realpath(line)
                    if real in wanted[base]:
                        found[real] = pkg
    return found


def installed_packages():
    """name -> (priority, [dependency names]) for every installed package."""
    r = run(["dpkg-query", "-W", "-f=${Package}\t${Priority}\t${Depends}, ${Pre-Depends}\n"])
    table = {}
    for line in r.stdout.splitlines():
        name, priority, deps = (line.split("\t") + ["", ""])[:3]
        names = []
        for alt in deps.split(","):
            alt = alt.strip()
            if alt:
                names.append(alt.split("|")[0].split()[0].split(":")[0])
        table[name] = (priority, names)
    return table


class DockerfileTest(unittest.TestCase):
    def test_attestd_images_are_multi_stage_non_root_with_health_and_volume(self):
        for rel in IMAGE_DOCKERFILES:
            d = Dockerfile(os.path.join(DOCKER_DIR, rel))
            self.assertGreaterEqual(len(d.stages), 2, f"{rel}: want a build stage and a runtime stage")
            self.assertIn("debian:12", read(d.rel), f"{rel}: want Debian 12 stages")
            users = d.final_args("USER")
            self.assertTrue(users, f"{rel}: final stage has no USER")
            self.assertNotIn(users[-1].split(":")[0], ("root", "0"), f"{rel}: final USER is root")
            self.assertEqual(users[-1].split(":")[0], SERVICE_UID, f"{rel}: USER, want uid {SERVICE_UID}")
            health = " ".join(d.final_args("HEALTHCHECK"))
            self.assertIn('"attest", "health"', health, f"{rel}: HEALTHCHECK must use the gRPC health service")
            volumes = " ".join(d.final_args("VOLUME"))
            self.assertIn("/var/lib/attestd", volumes, f"{rel}: the ledger must be on a volume")
            entry = d.final_args("ENTRYPOINT")[-1]
            self.assertIn('"attestd"', entry)
            self.assertIsNotNone(d.ref_name(), f"{rel}: no org.opencontainers.image.ref.name label")

    def test_runtime_stages_install_no_build_tools(self):
        for rel in IMAGE_DOCKERFILES:
            d = Dockerfile(os.path.join(DOCKER_DIR, rel))
            pkgs = d.runtime_packages()
            self.assertIsNotNone(pkgs, f"{rel}: runtime-packages markers missing")
            bad = {p for p in pkgs if p.endswith("-dev") or p in ("build-essential", "cmake", "ninja-build", "gcc", "g++")}
            self.assertFalse(bad, f"{rel}: build packages in the runtime stage: {sorted(bad)}")
            copies = " ".join(d.final_args("COPY"))
            self.assertNotIn("/src", copies, f"{rel}: runtime stage copies the source tree")

    def test_runtime_packages_cover_every_library_the_binaries_load(self):
        if shutil.which("dpkg") is None or shutil.which("ldd") is None:
            self.skipTest("dpkg or ldd missing: not a Debian host")
        table = installed_packages()
        libs = {}
        for binary in (ATTESTD, ATTEST):
            for line in run(["ldd", binary]).stdout.splitlines():
                m = re.search(r"=> (/\S+)", line)
                if m and "libasan" not in m.group(1) and "libubsan" not in m.group(1):
                    libs[m.group(1)] = binary
        owners = packages_of(libs)
        needed = {}
        for lib, binary in libs.items():
            pkg = owners.get(os.path.realpath(lib))
            self.assertIsNotNone(pkg, f"{lib} (loaded by {binary}) belongs to no package")
            needed[pkg] = lib
        for rel in IMAGE_DOCKERFILES:
            listed = Dockerfile(os.path.join(DOCKER_DIR, rel)).runtime_packages()
            closure, todo = set(), list(listed)
            while todo:
                p = todo.pop()
                if p in closure:
                    continue
                closure.add(p)
                todo.extend(table.get(p, ("", []))[1])
            for pkg, lib in sorted(needed.items()):
                priority = table.get(pkg, ("", []))[0]
                if priority == "required" or pkg in closure:
                    continue
                self.fail(f"{rel}: runtime stage lacks {pkg} (for {lib}); got {sorted(listed)}")

    def test_copy_sources_exist(self):
        for rel in ALL_DOCKERFILES:
            d = Dockerfile(os.path.join(DOCKER_DIR, rel))
            for _, instrs in d.stages:
                for instr, args in instrs:
                    if instr != "COPY" or "--from=" in args:
                        continue
                    words = [w for w in args.split() if not w.startswith("--")]
                    for src in words[:-1]:
                        if src == ".":
                            continue
                        self.assertTrue(os.path.exists(os.path.join(REPO, src)), f"{rel}: COPY source {src} missing")

    def test_baked_configs_pass_attestds_own_parser(self):
        for rel in (f"{DOCKER_DIR}/attestd.yaml", "deploy/systemd/attestd.yaml"):
            r = run([ATTESTD, "--config", os.path.join(REPO, rel), "--print-config"])
            self.assertEqual(r.returncode, 0, f"{rel}: attestd refused it: {r.stderr}")
        cfg = yaml.safe_load(read(f"{DOCKER_DIR}/attestd.yaml"))
        self.assertTrue(cfg["ledger_dir"].startswith("/var/lib/attestd/"), "image config: ledger not on the volume")


class ComposeTest(unittest.TestCase):
    def setUp(self):
        self.compose = yaml.safe_load(read(f"{DOCKER_DIR}/docker-compose.yml"))
        self.refs = {Dockerfile(os.path.join(DOCKER_DIR, r)).ref_name(): r for r in ALL_DOCKERFILES}

    def test_services_use_images_our_dockerfiles_build(self):
        services = self.compose["services"]
        for name in ("attestd", "devchain", "registry", "exporter"):
            self.assertIn(name, services)
        for name, svc in services.items():
            self.assertIn("image", svc, f"service {name}: no image")
            self.assertIn(svc["image"], self.refs, f"service {name}: image {svc['image']} is built by no Dockerfile")
            build = svc.get("build")
            self.assertIsNotNone(build, f"service {name}: no build section")
            dockerfile = os.path.normpath(os.path.join(DOCKER_DIR, build["context"], build["dockerfile"]))
            self.assertEqual(os.path.basename(dockerfile), self.refs[svc["image"]],
                             f"service {name}: builds {dockerfile}, want the one labelled {svc['image']}")
            self.assertTrue(os.path.exists(os.path.join(REPO, dockerfile)))

    def test_dependencies_volumes_and_ports_are_wired(self):
        services = self.compose["services"]
        declared = set(self.compose.get("volumes", {}))
        for name, svc in services.items():
            for dep in svc.get("depends_on", {}):
                self.assertIn(dep, services, f"service {name}: depends on unknown {dep}")
            for v in svc.get("volumes", []):
                src = v.split(":")[0]
                if not src.startswith((".", "/")):
                    self.assertIn(src, declared, f"service {name}: volume {src} not declared")
            for p in svc.get("ports", []):
                self.assertTrue(str(p).startswith("127.0.0.1:"), f"service {name}: port {p} not bound to loopback")
        self.assertIn("attestd-data:/var/lib/attestd", services["attestd"]["volumes"])
        exporter = " ".join(services["exporter"]["command"])
        self.assertIn("http://devchain:8545", exporter, "exporter not wired to the dev chain")
        self.assertIn("/chain-shared/registry-address", exporter, "exporter not wired to the deployed registry")
        self.assertIn("/chain-shared/registry-address", " ".join(services["registry"]["command"]))

    def test_flags_exist_in_the_binaries(self):
        services = self.compose["services"]
        got = flags_in(services["attestd"]["command"])
        missing = got - help_flags(ATTESTD)
        self.assertFalse(missing, f"compose attestd: flags attestd does not accept: {missing}")
        words = shlex.split(" ".join(services["exporter"]["command"]).replace("$$", "$"))
        for sub in (["export"], ["backup"]):
            if sub[0] in words:
                start = words.index(sub[0])
                end = words.index("&&", start) if "&&" in words[start:] else len(words)
                missing = flags_in(words[start:end]) - help_flags(ATTEST, *sub)
                self.assertFalse(missing, f"compose exporter: attest {sub[0]} does not accept {missing}")
        model = " ".join(services["model"]["command"])
        missing = flags_in(model.split()) - help_flags(ATTEST, "model", "synth")
        self.assertFalse(missing, f"compose model: attest model synth does not accept {missing}")


class KubernetesTest(unittest.TestCase):
    def setUp(self):
        self.kust = yaml.safe_load(read("deploy/k8s/kustomization.yaml"))
        self.docs = []
        for rel in self.kust["resources"]:
            for doc in yaml.safe_load_all(read(f"deploy/k8s/{rel}")):
                if doc:
                    self.docs.append(doc)
        self.by_kind = {}
        for d in self.docs:
            self.by_kind.setdefault(d["kind"], []).append(d)
        self.sts = self.by_kind["StatefulSet"][0]
        self.pod = self.sts["spec"]["template"]
        self.labels = self.pod["metadata"]["labels"]
        self.container = self.pod["spec"]["containers"][0]
        cm = self.by_kind["ConfigMap"][0]
        self.config_text = cm["data"]["attestd.yaml"]
        self.config = yaml.safe_load(self.config_text)

    def test_kustomization_lists_every_manifest(self):
        files = {f for f in os.listdir(os.path.join(REPO, "deploy/k8s"))
                 if f.endswith((".yaml", ".yml")) and f != "kustomization.yaml"}
        self.assertEqual(files, set(self.kust["resources"]))
        for d in self.docs:
            for key in ("apiVersion", "kind", "metadata"):
                self.assertIn(key, d)
            self.assertIn("name", d["metadata"])
        for kind in ("StatefulSet", "Service", "ConfigMap", "PodDisruptionBudget"):
            self.assertIn(kind, self.by_kind)

    def test_secret_holds_a_log_key_per_replica(self):
        gens = {g["name"]: g for g in self.kust.get("secretGenerator", [])}
        secret = self.pod["spec"]["volumes"]
        names = [v["secret"]["secretName"] for v in secret if "secret" in v]
        self.assertTrue(names, "no Secret volume")
        for name in names:
            self.assertIn(name, gens, f"Secret {name} is generated by no secretGenerator")
            self.assertTrue(gens[name].get("options", {}).get("disableNameSuffixHash"),
                            f"{name}: a hashed name would not match the StatefulSet's secretName")
            files = {os.path.basename(f) for f in gens[name]["files"]}
            want = {os.path.basename(self.config["keys"]["attestor_keystore"]),
                    os.path.basename(self.config["keys"]["attestor_passphrase_file"])}
            want |= {f"log-ed25519-{i}.key" for i in range(self.sts["spec"]["replicas"])}
            self.assertEqual(want - files, set(), f"{name}: files missing for {self.sts['spec']['replicas']} replicas")
        self.assertTrue(os.path.exists(os.path.join(REPO, "deploy/k8s/secrets/.gitignore")),
                        "deploy/k8s/secrets/ must ignore key files")

    def test_selectors_match_the_pods(self):
        def subset(sel, what):
            for k, v in sel.items():
                self.assertEqual(self.labels.get(k), v, f"{what}: selector {k}={v} matches no pod label")
        subset(self.sts["spec"]["selector"]["matchLabels"], "StatefulSet")
        for svc in self.by_kind["Service"]:
            subset(svc["spec"]["selector"], f"Service {svc['metadata']['name']}")
        subset(self.by_kind["PodDisruptionBudget"][0]["spec"]["selector"]["matchLabels"], "PodDisruptionBudget")
        headless = [s for s in self.by_kind["Service"] if s["metadata"]["name"] == self.sts["spec"]["serviceName"]]
        self.assertTrue(headless, "serviceName names no Service")
        self.assertEqual(headless[0]["spec"].get("clusterIP"), "None", "the governing Service must be headless")

    def test_probes_use_grpc_health_on_the_listen_port(self):
        port = int(self.config["listen"].rsplit(":", 1)[1])
        named = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        self.assertEqual(named["grpc"], port)
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            self.assertIn(probe, self.container)
            self.assertEqual(self.container[probe]["grpc"]["port"], port, f"{probe}: wrong port")

    def test_one_ledger_volume_per_replica_holds_the_ledger(self):
        claims = {c["metadata"]["name"] for c in self.sts["spec"]["volumeClaimTemplates"]}
        mounts = {m["name"]: m["mountPath"] for m in self.container["volumeMounts"]}
        ledger_mounts = [mounts[c] for c in claims if c in mounts]
        self.assertTrue(ledger_mounts, "no volumeClaimTemplate is mounted")
        self.assertTrue(any(self.config["ledger_dir"].startswith(m + "/") for m in ledger_mounts),
                        f"ledger_dir {self.config['ledger_dir']} is not on a per-replica volume")

    def test_volumes_name_existing_objects_and_files(self):
        names = {k: {d["metadata"]["name"] for d in v} for k, v in self.by_kind.items()}
        mounts = {m["mountPath"]: m["name"] for m in self.container["volumeMounts"]}
        for vol in self.pod["spec"]["volumes"]:
            if "configMap" in vol:
                self.assertIn(vol["configMap"]["name"], names["ConfigMap"])
            if "secret" in vol:
                generated = {g["name"] for g in self.kust.get("secretGenerator", [])}
                self.assertIn(vol["secret"]["secretName"], names.get("Secret", set()) | generated)
        args = self.container["args"]
        config_path = [a.split("=", 1)[1] for a in args if a.startswith("--config=")][0]
        self.assertIn(os.path.dirname(config_path), mounts, "--config is not on a mounted volume")
        for key in ("attestor_keystore", "attestor_passphrase_file", "log_key_file"):
            self.assertIn(os.path.dirname(self.config["keys"][key]), mounts, f"keys.{key} is not on a mounted volume")

    def test_config_and_flags_are_accepted_by_attestd(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write(self.config_text)
            f.flush()
            r = run([ATTESTD, "--config", f.name, "--print-config"])
            self.assertEqual(r.returncode, 0, f"ConfigMap attestd.yaml refused: {r.stderr}")
        self.assertEqual(self.container["command"], ["attestd"])
        missing = flags_in(self.container["args"]) - help_flags(ATTESTD)
        self.assertFalse(missing, f"StatefulSet args: attestd does not accept {missing}")
        origin = [a for a in self.container["args"] if a.startswith("--log-origin=")]
        self.assertTrue(origin and "$(POD_NAME)" in origin[0], "each replica needs its own origin")

    def test_security_gpu_and_images(self):
        sc = self.pod["spec"]["securityContext"]
        self.assertTrue(sc["runAsNonRoot"])
        self.assertEqual(str(sc["runAsUser"]), SERVICE_UID)
        self.assertEqual(self.container["resources"]["requests"]["nvidia.com/gpu"], "1")
        self.assertEqual(self.container["resources"]["limits"]["nvidia.com/gpu"], "1")
        refs = {Dockerfile(os.path.join(DOCKER_DIR, r)).ref_name() for r in IMAGE_DOCKERFILES}
        tags = {i["name"]: i.get("newTag") for i in self.kust.get("images", [])}
        for c in self.pod["spec"]["containers"] + self.pod["spec"].get("initContainers", []):
            repo, _, tag = c["image"].partition(":")
            self.assertIn(f"{repo}:{tags.get(repo) or tag}", refs, f"container {c['name']}: image built by no Dockerfile")
        self.assertGreaterEqual(self.sts["spec"]["template"]["spec"]["terminationGracePeriodSeconds"], 35,
                                "shorter than attestd's 30 s drain")


class SystemdTest(unittest.TestCase):
    def setUp(self):
        self.text = read("deploy/systemd/attestd.service")
        self.directives = {}
        for line in re.sub(r"\\\n", " ", self.text).splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                self.directives.setdefault(k.strip(), []).append(v.strip())

    def test_unit_is_hardened(self):
        want = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "StateDirectory": "attestd",
                "PrivateTmp": "yes", "ProtectHome": "yes", "CapabilityBoundingSet": ""}
        for k, v in want.items():
            self.assertEqual(self.directives.get(k, [None])[-1], v, f"{k}: want {v!r}")
        self.assertTrue("DynamicUser" in self.directives or "User" in self.directives, "no dedicated user")
        creds = " ".join(self.directives.get("LoadCredential", []))
        self.assertIn("attestor-passphrase", creds, "the passphrase must come as a credential")
        exec_start = shlex.split(self.directives["ExecStart"][0])
        missing = flags_in(exec_start) - help_flags(ATTESTD)
        self.assertFalse(missing, f"ExecStart: attestd does not accept {missing}")
        cfg = yaml.safe_load(read("deploy/systemd/attestd.yaml"))
        self.assertTrue(cfg["ledger_dir"].startswith("/var/lib/attestd/"), "ledger not in the StateDirectory")

    def test_systemd_analyze_verify_is_clean(self):
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze not installed")
        with tempfile.TemporaryDirectory() as tmp:
            unit = os.path.join(tmp, "attestd.service")
            with open(unit, "w") as f:
                f.write(self.text.replace("/usr/local/bin/attestd", os.path.realpath(ATTESTD)))
            r = run(["systemd-analyze", "verify", unit], cwd=tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            problems = [l for l in (r.stderr + r.stdout).splitlines() if "attestd.service" in l]
            self.assertFalse(problems, "systemd-analyze verify: " + "\n".join(problems))
            dropin = read("deploy/systemd/attestd.service.d/gpu.conf")
            with open(unit, "a") as f:
                f.write("\n" + dropin)
            r = run(["systemd-analyze", "verify", unit], cwd=tmp)
            problems = [l for l in (r.stderr + r.stdout).splitlines() if "attestd.service" in l]
            self.assertFalse(problems, "gpu.conf drop-in: " + "\n".join(problems))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    REPO, ATTESTD, ATTEST = (os.path.abspath(a) for a in sys.argv[1:4])
    unittest.main(argv=sys.argv[:1] + sys.argv[4:], verbosity=2)
