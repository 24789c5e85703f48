// The digits data set shipped in the package's data/ directory (see data/README.md).
import * as path from 'path';

/** Path of data/digits.csv.gz: 1,797 8×8 digit images, 64 pixel columns then the label. */
export const DIGITS_CSV = path.resolve(__dirname, '../../data/digits.csv.gz');
