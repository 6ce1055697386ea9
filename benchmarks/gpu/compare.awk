# Reads badfl_bench.csv then torch_bench.csv (both: section,name,detail,value,unit,ms,note) and prints the goals:
# resnet18 training >= 1.0x PyTorch fp32; each aggregation kernel >= 60% of the copy bandwidth; >= 20x torch.median.
FNR == 1 { file++; next }
file == 1 && $1 == "training"    { badfl_train[$2 " " $3] = $4 }
file == 1 && $1 == "aggregation" { badfl_agg[$2] = $4; badfl_ms[$2] = $6; if ($2 ~ /copy/) copy = $4 }
file == 2 && $1 == "training"    { torch_train[$2 " " $3] = $4 }
file == 2 && $1 == "aggregation" { torch_ms[$2] = $6 }
END {
  printf "%-44s %14s %14s %10s  %s\n", "training (images/s)", "badfl", "PyTorch", "ratio", "goal"
  n = split("cnn-paper batch 64 fp32|cnn-paper batch 64 tf32|resnet18 batch 128 fp32|resnet18 batch 128 tf32", keys, "|")
  for (i = 1; i <= n; i++) {
    k = keys[i]; split(k, w, " "); model = w[1]; rest = w[2] " " w[3] " " w[4]
    b = badfl_train[model " " rest]; t = torch_train[model " " rest]
    r = (b != "" && t != "" && t > 0) ? sprintf("%.2fx", b / t) : "-"
    goal = (k == "resnet18 batch 128 fp32") ? ((r == "-") ? ">= 1.0x: not measured" : ((b / t >= 1.0) ? ">= 1.0x: MET" : ">= 1.0x: NOT MET")) : ""
    printf "%-44s %14s %14s %10s  %s\n", k, (b == "" ? "-" : b), (t == "" ? "-" : t), r, goal
  }
  printf "\n%-44s %10s %10s %12s  %s\n", "aggregation n=100 d=11173962", "GB/s", "% copy", "vs median", "goals (>= 60% of copy; median >= 20x torch)"
  for (k in badfl_agg) {
    if (k ~ /copy/) continue
    pct = (copy > 0 && badfl_agg[k] != "") ? sprintf("%.0f%%", 100 * badfl_agg[k] / copy) : "-"
    vs = "-"
    if (k == "coordinate median" && torch_ms["torch.median(dim=0)"] != "" && badfl_ms[k] > 0) vs = sprintf("%.1fx", torch_ms["torch.median(dim=0)"] / badfl_ms[k])
    g = (pct == "-") ? "not measured" : ((100 * badfl_agg[k] / copy >= 60) ? "copy: MET" : "copy: NOT MET")
    if (k == "coordinate median") g = g ", " ((vs == "-") ? "torch: not measured" : ((torch_ms["torch.median(dim=0)"] / badfl_ms[k] >= 20) ? "torch: MET" : "torch: NOT MET"))
    printf "%-44s %10s %10s %12s  %s\n", k, badfl_agg[k], pct, vs, g
  }
  if (copy != "") printf "%-44s %10s\n", "device-to-device copy (reference)", copy
}
