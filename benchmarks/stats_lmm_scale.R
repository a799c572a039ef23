# Fit the pain mixed model with lme4 + emmeans on a CSV and time it (called by stats_lmm_scale.py).
# Usage: Rscript benchmarks/stats_lmm_scale.R <pain.csv> <out.csv>
suppressPackageStartupMessages({
  library(lme4)
  library(emmeans)
})
args <- commandArgs(trailingOnly = TRUE)
pain <- read.csv(args[1])
pain$group <- factor(pain$group, levels = c("Control", "MgSO4"))
pain$minute <- factor(pain$minute, levels = c(0, 5, 10, 15, 30))
emm_options(lmer.df = "asymptotic")
fit_time <- system.time(fit <- lmer(nrs ~ group * minute + (1 | case_key), data = pain, REML = TRUE))[["elapsed"]]
emm_time <- system.time({
  emm <- as.data.frame(summary(emmeans(fit, ~ group * minute), infer = c(TRUE, TRUE)))
  con <- as.data.frame(summary(contrast(emmeans(fit, ~ group | minute), "revpairwise"), infer = c(TRUE, TRUE)))
  jt <- joint_tests(fit)
})[["elapsed"]]
vc <- as.data.frame(VarCorr(fit))
out <- data.frame(
  quantity = c(
    "fit_seconds", "emmeans_seconds", paste0("estimate:", seq_along(fixef(fit))), paste0("se:", seq_along(fixef(fit))),
    "tau2", "sigma2", paste0("emmean:", seq_len(nrow(emm))), paste0("emmean_se:", seq_len(nrow(emm))),
    paste0("contrast:", seq_len(nrow(con))), paste0("contrast_se:", seq_len(nrow(con)))
  ),
  value = c(
    fit_time, emm_time, unname(fixef(fit)), sqrt(diag(as.matrix(vcov(fit)))),
    vc$vcov[vc$grp == "case_key"], vc$vcov[vc$grp == "Residual"], emm$emmean, emm$SE, con$estimate, con$SE
  )
)
write.csv(out, args[2], row.names = FALSE)
