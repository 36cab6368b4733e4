// Package nmf factorizes non-negative data V ≈ W·H — purchases, ratings,
// word counts — and turns the factors into segments, memberships,
// recommendations and campaign target lists.
//
// # Orientation
//
// Rows are items (products, words, films) and columns are people
// (customers, documents, viewers). For a rows×cols matrix V and k segments,
// W is rows×k: its columns define the segments by the weight of each item.
// H is k×cols: each person's membership in each segment.
//
// # Data
//
// A Matrix carries row and column labels with its numbers; NaN marks a
// missing cell. ReadCSV and ParseCSV load a table whose header holds the
// column labels and whose first column holds the row labels; ReadTriples
// and ParseTriples load long-form lists such as MovieLens' ratings.csv.
// Errors name the line and column (*ParseError).
//
// Matrices from ReadTriples, ParseTriples and NewSparse are sparse: they
// keep their listed cells only (in compressed rows), the others being
// missing, or zeros after FillMissing(0). Fits, HoldOut, Observed and
// Evaluate work on the listed cells: 20 million ratings between 138,000
// people and 27,000 films take 100 MB by row and 100 MB by column (a
// 4-byte index and, for a matrix of at most 256 distinct values, a
// one-byte code a rating; 12 bytes with other values) where a dense
// matrix would take 30 GB, and a 20-component fit of them, reading the
// file included, peaks at 340 MB. Dense, Popularity, EvaluateRanking and Model.Reconstruct form
// rows × cols values.
//
// # Fitting
//
// Fit and FitContext run one of two solvers, the same algorithms as
// scikit-learn's NMF and, started from the same factors, the same results
// (the tests hold golden output of scikit-learn 1.2):
//
//   - CD, coordinate descent (fast HALS), for the Frobenius loss;
//   - MU, multiplicative updates, for Frobenius, Kullback-Leibler and
//     Itakura-Saito losses.
//
// Initialization is NNDSVD, NNDSVDA, NNDSVDAR, Random or Custom; L1/L2
// regularization is scaled as in scikit-learn. Options.Progress reports
// every iteration; cancelling the context stops a fit.
//
// When V has missing cells the loss counts the observed cells only
// (weighted NMF): both solvers then work on the list of observed cells, so
// a sparse ratings matrix costs in proportion to its ratings, and W·H
// predicts the missing cells.
//
// # Reading the model
//
// Model.Segments lists each segment's dominant items, Model.Membership each
// person's share in every segment, Model.Recommend the items ranked for one
// person and Model.Targets the people ranked for one item. Model.Transform
// finds memberships for new people with W fixed. ScanRanks fits several
// ranks (and seeds) to help choose k.
//
// # Errors
//
// Bad data and bad options are returned as errors wrapping this package's
// sentinels (ErrNegative, ErrShape, ErrOption, …); no function panics on
// user input. Like gonum, At panics on an index out of range.
//
// # Performance
//
// Dense products go through gonum's mat package and so through whatever
// BLAS implementation gonum.org/v1/gonum/blas/blas64 uses: OpenBLAS, loaded
// at run time, when the machine has it, gonum's pure Go otherwise (set
// NMFKERNEL_BLAS=go to force it). Zero-is-data fits of sparse and
// mostly-zero matrices multiply from the list of non-zero cells instead
// (Storage).
// Row-wise solver work is spread over the available cores in fixed-size
// chunks, so results do not depend on the number of cores.
package nmf
