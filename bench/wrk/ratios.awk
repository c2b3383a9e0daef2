# Summarizes the run lines of bench/wrk/issue9.sh ("round=R target=T ... rps=X ... cpu_us_per_request=C"): the median
# requests per second and CPU per request of each target, and for each pair named in -v pairs="a/b c/d", the ratio of
# a's rate to b's in each round (runs of one round are next to each other in time), with their median and range.
#   awk -v pairs="after/before after/bare before/bare" -f bench/wrk/ratios.awk runs.txt
function median(values, n,   i, j, t) {
  for (i = 2; i <= n; i++) for (j = i; j > 1 && values[j-1] > values[j]; j--) { t = values[j]; values[j] = values[j-1]; values[j-1] = t }
  return n % 2 ? values[(n+1)/2] : (values[n/2] + values[n/2+1]) / 2
}
/^round=/ {
  for (i = 1; i <= NF; i++) { split($i, kv, "="); field[kv[1]] = kv[2] }
  round = field["round"]; target = field["target"]
  rps[round, target] = field["rps"]; cpu[round, target] = field["cpu_us_per_request"]
  if (!(target in seen)) { seen[target] = 1; names[++targets] = target }
  if (round > rounds) rounds = round
}
END {
  for (t = 1; t <= targets; t++) {
    for (r = 1; r <= rounds; r++) { x[r] = rps[r, names[t]]; c[r] = cpu[r, names[t]] }
    printf "median %s: %.0f req/s, %.0f us CPU per request\n", names[t], median(x, rounds), median(c, rounds)
  }
  count = split(pairs, list, " ")
  for (p = 1; p <= count; p++) {
    split(list[p], ab, "/"); if (!(ab[1] in seen) || !(ab[2] in seen)) continue
    line = ""
    for (r = 1; r <= rounds; r++) { q[r] = rps[r, ab[1]] / rps[r, ab[2]]; line = line sprintf(" %.2f", q[r]) }
    m = median(q, rounds)
    printf "%s per round:%s; median %.2f, range %.2f-%.2f\n", list[p], line, m, q[1], q[rounds]
  }
}
