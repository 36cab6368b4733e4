module nmfkernel

go 1.26.8
