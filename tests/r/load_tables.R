# Load every CSV resource of a data package in R with column types taken from datapackage.json.
# Usage: Rscript load_tables.R path/to/datapackage.json
# Any parse problem or warning is an error (exit status 1). Prints one line per resource:
#   <name> <rows> <column>=<class>,...
options(warn = 2)  # a warning (e.g. a value that does not parse) stops the script
suppressPackageStartupMessages({
  library(jsonlite)
  library(readr)
})
args <- commandArgs(trailingOnly = TRUE)
descriptor_path <- args[[1]]
base <- dirname(descriptor_path)
pkg <- fromJSON(descriptor_path, simplifyVector = FALSE)

col_spec <- function(field) {
  enum <- field$constraints$enum
  if (!is.null(enum)) return(col_factor(levels = unlist(enum)))
  switch(field$type,
    string = col_character(),
    integer = col_integer(),
    number = col_double(),
    date = col_date(format = "%Y-%m-%d"),
    boolean = col_logical(),
    stop(paste("unknown Table Schema type", field$type))
  )
}

for (res in pkg$resources) {
  fields <- res$schema$fields
  spec <- do.call(cols, setNames(lapply(fields, col_spec), vapply(fields, function(f) f$name, "")))
  df <- read_csv(file.path(base, res$path), col_types = spec, na = unlist(res$schema$missingValues),
                 locale = locale(encoding = "UTF-8"), progress = FALSE)
  p <- problems(df)
  if (nrow(p) > 0) {
    print(p)
    stop(paste("parse problems in", res$name))
  }
  if (!identical(names(df), vapply(fields, function(f) f$name, ""))) stop(paste("columns differ in", res$name))
  classes <- vapply(df, function(col) class(col)[[1]], "")
  cat(res$name, nrow(df), paste(paste0(names(classes), "=", classes), collapse = ","), "\n")
}
