# Run one R recipe of docs/loading.md (extracted by tests/test_reader_recipes.py) and describe every table it reads.
# Usage (from the folder of datapackage.json): Rscript check_recipe.R recipe.R
# The recipe defines read_table(name). Any warning (a value that does not parse) or parse problem is an error
# (exit status 1). Prints one line per resource: <name> <rows> <column>=<class>:<NA count>:<levels|...>,...
options(warn = 2)
source(commandArgs(trailingOnly = TRUE)[[1]])
suppressPackageStartupMessages(library(jsonlite))
descriptor <- fromJSON("datapackage.json", simplifyVector = FALSE)
for (res in descriptor$resources) {
  df <- read_table(res$name)
  if (!is.null(attr(df, "problems")) && nrow(readr::problems(df)) > 0) {
    print(readr::problems(df))
    stop(paste("parse problems in", res$name))
  }
  if (!identical(names(df), vapply(res$schema$fields, function(f) f$name, ""))) stop(paste("columns differ in", res$name))
  described <- vapply(names(df), function(n) {
    col <- df[[n]]
    levels <- if (is.factor(col)) paste(levels(col), collapse = "|") else ""
    paste(class(col)[[1]], sum(is.na(col)), levels, sep = ":")
  }, "")
  cat(res$name, nrow(df), paste(paste0(names(df), "=", described), collapse = ","), "\n")
}
