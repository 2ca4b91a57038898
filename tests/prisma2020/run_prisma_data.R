# Runs the PRISMA2020 package's own PRISMA_data() on a CSV and prints what it read, one "name<TAB>value"
# line each (a data frame of reasons as "reason=n|reason=n"). Any R warning is an error: the package
# warns when a template row is missing and falls back to a default.
# Usage: Rscript run_prisma_data.R <folder of the package's R sources> <prisma.csv>
options(warn = 2)
args <- commandArgs(trailingOnly = TRUE)
for (file in list.files(args[1], pattern = "\\.R$", full.names = TRUE)) source(file)
flow <- PRISMA_data(read.csv(args[2]))
for (name in names(flow)) {
  value <- flow[[name]]
  if (is.data.frame(value) && all(c("reason", "n") %in% names(value))) {
    cat(name, "\t", paste(value$reason, value$n, sep = "=", collapse = "|"), "\n", sep = "")
  } else if (is.character(value) && length(value) == 1) {
    cat(name, "\t", gsub("[\t\n]", " ", value), "\n", sep = "")
  }
}
