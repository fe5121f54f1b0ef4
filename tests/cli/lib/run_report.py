#!/usr/bin/env python3
"""Checks of a `xenmm run --json` report, printed as TAP (tests/cli/run.sh).

    run_report.py SCENARIO REPORT.json

The report's numbers are checked against each other where they come from
different Xen interfaces: pages per node (debug key 'u') against tot_pages
(getdomaininfo), the p2m leaves (debug key 'D') against tot_pages, the
guest's own e820 (XENMEM_memory_map) against xenopsd's memory model, node
free deltas (numainfo) against the guests' pages and paging pools.
"""
import json
import sys

n = passed = failed = 0


def check(name, cond, detail=""):
    global n, passed, failed
    n += 1
    if cond:
        passed += 1
        print(f"ok {n} - {name}")
    else:
        failed += 1
        print(f"not ok {n} - {name}")
        if detail:
            print(f"#   {detail}")


def vm(rep, name):
    return next(v for v in rep["vms"] if v["name"] == name)


MiB = 256          # pages
GiB = 262144


def check_started(rep, v):
    """What holds for every VM that started, whatever the scenario."""
    name = v["name"]
    check(f"{name}: started", v["result"] == "ok", v.get("error"))
    if v["result"] != "ok":
        return
    nodes = v["node_pages"]
    check(f"{name}: 'u' pages per node (+ PoD cache) add up to tot_pages",
          sum(nodes) + v["pod_cache_pages"] == v["tot_pages"],
          f"{nodes} + {v['pod_cache_pages']} vs {v['tot_pages']}")
    check(f"{name}: no claim left after the build",
          v["outstanding_pages"] == 0)
    check(f"{name}: Xen's maxmem is xen_max_mib",
          v["max_pages"] == v["memory_model"]["xen_max_mib"] * MiB)
    mm = v["memory_model"]
    if v["type"] != "pv":
        check(f"{name}: the paging pool is xenopsd's shadow_mib",
              v["paging_pool_mib"] == mm["shadow_mib"])
        p = v["p2m_leaves"]
        if p is None:
            check(f"{name}: p2m leaves seen (debug key 'D')", False)
        elif v["pod_entries"] == 0:
            # XenServer's PVH layout puts ACPI modules (the RSDP page at
            # 0xff000) inside RAM: populating them there displaces a RAM
            # page, which Xen leaves with the domain, unmapped.
            over = sum(min(a["addr"] + a["size"], r["addr"] + r["size"]) -
                       max(a["addr"], r["addr"])
                       for a in v["e820"] or [] if a["type"] == "ACPI"
                       for r in v["e820"] if r["type"] == "RAM"
                       if a["addr"] < r["addr"] + r["size"] and
                       r["addr"] < a["addr"] + a["size"]) >> 12
            check(f"{name}: the p2m maps tot_pages (less {over} page(s) "
                  "displaced by ACPI tables)",
                  p["1G"] * GiB + p["2M"] * 512 + p["4K"] + over ==
                  v["tot_pages"], f"{p} vs {v['tot_pages']}")
    else:
        check(f"{name}: a PV guest has no p2m and no paging pool here",
              v["p2m_leaves"] is None and v["paging_pool_mib"] is None)
    e820 = v["e820"] or []
    ram = sum(e["size"] for e in e820 if e["type"] == "RAM")
    if v["type"] == "hvm":
        # hvm_build_setup_mem: RAM from 1 MiB, build_max_mib in all.
        check(f"{name}: the guest's e820 has build_max_mib of RAM from 1 MiB",
              e820 and e820[0]["addr"] == 1 << 20 and
              ram == (mm["build_max_mib"] << 20) - (1 << 20),
              f"{e820}")
        check(f"{name}: no RAM in the MMIO hole below 4 GiB",
              all(e["addr"] + e["size"] <= 0xF0000000 or e["addr"] >= 1 << 32
                  for e in e820 if e["type"] == "RAM"))
    elif v["type"] == "pv":
        check(f"{name}: the PV e820 is the memmap limit (xen_max_mib)",
              e820 == [{"addr": 0, "size": mm["xen_max_mib"] << 20,
                        "type": "RAM"}], f"{e820}")
    else:
        check(f"{name}: the PVH e820 starts with RAM at 0",
              e820 and e820[0]["addr"] == 0 and e820[0]["type"] == "RAM")


def check_host(rep):
    b, a = rep["host_before"], rep["host_after"]
    ok = [v for v in rep["vms"] if v["result"] == "ok"]
    nr = rep["nr_nodes"]
    check("host: no claim outstanding after the run",
          a["outstanding_pages"] == 0 and a["node_claimed_pages"] == [0] * nr)
    check("host: pages to scrub reported per node (debug key 'H')",
          isinstance(a["node_to_scrub_pages"], list) and
          len(a["node_to_scrub_pages"]) == nr)
    check("host: node free adds up to physinfo's free",
          sum(a["node_free_pages"]) == a["free_pages"])
    delta = [b["node_free_pages"][i] - a["node_free_pages"][i]
             for i in range(nr)]
    for i in range(nr):
        on_node = sum(v["node_pages"][i] for v in ok)
        check(f"host: node {i} lost at least the guests' pages on it",
              delta[i] >= on_node, f"{delta[i]} < {on_node}")
    pools = sum((v["paging_pool_mib"] or 0) * MiB for v in ok)
    tot = sum(v["tot_pages"] for v in ok)
    # Besides tot_pages and the paging pools, each domain holds two
    # Xen-heap pages (shared_info and its first grant frame).
    check("host: free memory went to the guests, their pools and 2 Xen-heap "
          "pages each", sum(delta) == tot + pools + 2 * len(ok),
          f"{sum(delta)} vs {tot} + {pools} + {2 * len(ok)}")


def default(rep):
    check("default: the built-in scenario on server-2s",
          rep["scenario"]["name"] == "default" and
          rep["scenario"]["path"] is None and
          rep["scenario"]["host"] == "server-2s" and rep["nr_nodes"] == 2)
    check("default: four VMs, three started",
          [v["result"] for v in rep["vms"]] == ["ok", "ok", "ok", "failed"])
    for v in rep["vms"][:3]:
        check_started(rep, v)
    web, db, an, batch = (vm(rep, x) for x in
                          ("web", "db", "analytics", "batch"))
    for v, node in ((web, 0), (db, 1)):
        pl = v["placement"]
        check(f"{v['name']}: placed on node {node} with a claim there",
              pl["how"] == "node" and pl["node"] == node and
              pl["claim_node"] == node and
              pl["claim_pages"] == v["memory_model"]["build_claim_pages"],
              f"{pl}")
        check(f"{v['name']}: every page on node {node}",
              v["node_pages"][node] == v["tot_pages"])
    pl = an["placement"]
    check("analytics: fits no node, planned on both, host-wide claim",
          pl["how"] == "spans" and pl["planned_nodes"] == [0, 1] and
          pl["node"] is None and pl["claim_node"] is None and
          pl["claim_pages"] == an["memory_model"]["build_claim_pages"],
          f"{pl}")
    check("analytics: memory on both nodes",
          all(p > 0 for p in an["node_pages"]), f"{an['node_pages']}")
    # xenopsd's HVM model by hand: 64 GiB, 4 vCPUs, 4 MiB of video RAM;
    # shadow = ceil((256 * 4 + 2 * 65536) / 256); overhead = 1 + 1 +
    # shadow + ceil(38 * 4 / 256).
    check("web: xenopsd's memory model",
          web["memory_model"] == {
              "build_max_mib": 65532, "build_start_mib": 65532,
              "xen_max_mib": 65537, "shadow_mib": 516,
              "required_host_free_mib": 65536 + 1 + 1 + 516 + 1,
              "build_claim_pages": 65532 * 256}, f"{web['memory_model']}")
    check("web: meminit_hvm's split (496 4K, 1021 2M, 62 1G leaves)",
          web["p2m_leaves"] == {"1G": 62, "2M": 1021, "4K": 496, "PoD": 0},
          f"{web['p2m_leaves']}")
    check("batch: fails for lack of memory, saying how much it needed",
          "not enough memory" in (batch["error"] or "") and
          str(batch["memory_model"]["required_host_free_mib"])
          in batch["error"], batch["error"])
    check("batch: its domain was destroyed", batch["destroyed"] is True)
    check("batch: no pages (none reported, not in 'u')",
          "node_pages" not in batch)
    check("batch: it really did not fit (free < required)",
          rep["host_after"]["free_pages"] <
          batch["memory_model"]["required_host_free_mib"] * MiB)
    check_host(rep)


def pinned(rep):
    for v in rep["vms"]:
        check_started(rep, v)
    for name in ("front", "back"):
        v = vm(rep, name)
        check(f"{name}: hard affinity: no placement, no claim",
              v["placement"]["how"] == "hard-affinity" and
              v["placement"]["claim_pages"] == 0)
        check(f"{name}: all memory on node 1 (node affinity from the vCPUs)",
              v["node_pages"][1] == v["tot_pages"] and
              v["node_pages"][0] == 0, f"{v['node_pages']}")
    cache = vm(rep, "cache")
    check("cache: pinned to both sockets, memory on both nodes",
          all(p > 0 for p in cache["node_pages"]), f"{cache['node_pages']}")
    free = vm(rep, "free")
    check("free: not pinned, placed on node 0",
          free["placement"]["how"] == "node" and
          free["placement"]["node"] == 0 and
          free["node_pages"][0] == free["tot_pages"])
    check_host(rep)


def claims(rep):
    check("claims: three builds at a time", rep["scenario"]["parallel"] == 3)
    for v in rep["vms"]:
        check_started(rep, v)
    hows = sorted(v["placement"]["how"] for v in rep["vms"])
    check("claims: two VMs on a node each, one spanning both",
          hows == ["node", "node", "spans"], f"{hows}")
    single = [v for v in rep["vms"] if v["placement"]["how"] == "node"]
    check("claims: the two single-node VMs on different nodes",
          sorted(v["placement"]["node"] for v in single) == [0, 1])
    for v in single:
        node = v["placement"]["node"]
        check(f"{v['name']}: all its pages on node {node}",
              v["node_pages"][node] == v["tot_pages"], f"{v['node_pages']}")
    span = next(v for v in rep["vms"] if v["placement"]["how"] == "spans")
    check(f"{span['name']}: host-wide claim, memory on both nodes",
          span["placement"]["claim_node"] is None and
          span["placement"]["claim_pages"] > 0 and
          all(p > 0 for p in span["node_pages"]), f"{span['node_pages']}")
    check_host(rep)


def pv_pvh(rep):
    check("pv-pvh: on small-2n", rep["scenario"]["host"] == "small-2n")
    for v in rep["vms"]:
        check_started(rep, v)
    pod = vm(rep, "pod")
    check("pod: started ballooned down (PoD cache and entries)",
          pod["pod_cache_pages"] > 0 and pod["pod_entries"] > 0 and
          pod["p2m_leaves"]["PoD"] > 0)
    check("pod: tot_pages within its target",
          pod["tot_pages"] <= pod["memory_mib"] * MiB)
    for v in rep["vms"]:
        check(f"{v['name']}: -mem_pnode: every page on the claimed node",
              v["placement"]["how"] == "node" and
              v["node_pages"][v["placement"]["node"]] + v["pod_cache_pages"]
              == v["tot_pages"], f"{v['placement']} {v['node_pages']}")
    check_host(rep)


def main():
    scenario, path = sys.argv[1], sys.argv[2]
    try:
        rep = json.load(open(path))
    except Exception as e:      # noqa: BLE001 - any failure is a failed check
        check(f"{scenario}: the report is JSON", False, str(e))
        rep = None
    if rep is not None:
        check(f"{scenario}: the report is JSON", True)
        {"default": default, "pinned": pinned, "claims": claims,
         "pv-pvh": pv_pvh}[scenario](rep)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
