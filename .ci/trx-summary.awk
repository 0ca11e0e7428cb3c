# Counts test outcomes per backend from .trx files (VSTest's XML results) and prints a summary table.
#
# Usage: awk -v root_files=N -f .ci/trx-summary.awk ROOT_TRX... HOST_TRX...
#   The first root_files files come from the run inside the OpenCL root; a host result whose test also ran
#   there is dropped (the host only skipped it), so each test counts once.
# The backend is the theory row's `backend: "id"` argument; tests without one count as "other".
# Outcomes: Passed -> passed; Failed, Error, Timeout, Aborted -> failed; the rest (NotExecuted) -> skipped.
# Output: the table, then machine-readable lines "#total P F S" and "#root P F S" (the root run alone), and
# per backend "#backend ID HOSTROWS ROOTP ROOTF ROOTS": how many rows of that backend the host run listed (run
# or skipped; the host run holds every test, so this is how many the root run must execute) and the root run's
# outcomes for that backend.

function unescape(s) {
    gsub(/&quot;/, "\"", s); gsub(/&apos;/, "'", s); gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s)
    gsub(/&amp;/, "\\&", s)
    return s
}

function attr(line, name,    v) {
    if (!match(line, " " name "=\"[^\"]*\"")) return ""
    v = substr(line, RSTART + length(name) + 3, RLENGTH - length(name) - 4)
    return unescape(v)
}

FNR == 1 { file_index++; in_root = file_index <= root_files }

/<UnitTestResult / {
    name = attr($0, "testName"); outcome = attr($0, "outcome")
    current = ""
    backend = "other"
    if (match(name, /backend: "[^"]*"/)) backend = substr(name, RSTART + 10, RLENGTH - 11)
    if (!in_root) host_rows[backend]++
    if (in_root) ran_in_root[name] = 1
    else if (name in ran_in_root) next
    if (outcome == "Passed") kind = "passed"
    else if (outcome ~ /^(Failed|Error|Timeout|Aborted)$/) kind = "failed"
    else kind = "skipped"
    count[backend, kind]++
    total[kind]++
    if (in_root) { root[kind]++; root_be[backend, kind]++ }
    if (!(backend in seen)) { seen[backend] = 1; if (!(backend in known)) extra[++extras] = backend }
    if (kind == "skipped" && !(backend in reason)) current = backend
    next
}

/<Message>/ && current != "" {
    msg = $0
    sub(/.*<Message>/, "", msg); sub(/<\/Message>.*/, "", msg)
    reason[current] = unescape(msg)
    current = ""
}

/<\/UnitTestResult>/ { current = "" }

BEGIN {
    order[1] = "cpu"; order[2] = "ilgpu-cpu"; order[3] = "opencl"; order[4] = "cuda"; order[5] = "other"
    for (i = 1; i <= 5; i++) known[order[i]] = 1
}

END {
    for (i = 1; i <= extras; i++) order[5 + i] = extra[i]
    printf "%-10s %7s %7s %8s\n", "backend", "passed", "failed", "skipped"
    for (i = 1; i <= 5 + extras; i++) {
        b = order[i]
        line = sprintf("%-10s %7d %7d %8d", b, count[b, "passed"], count[b, "failed"], count[b, "skipped"])
        if (b in reason) line = line "   (" reason[b] ")"
        print line
    }
    printf "#total %d %d %d\n", total["passed"], total["failed"], total["skipped"]
    printf "#root %d %d %d\n", root["passed"], root["failed"], root["skipped"]
    for (i = 1; i <= 5 + extras; i++) {
        b = order[i]
        printf "#backend %s %d %d %d %d\n", b, host_rows[b], root_be[b, "passed"], root_be[b, "failed"], root_be[b, "skipped"]
    }
}
