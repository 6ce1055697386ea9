package org.badfl.server.badfl;

import org.badfl.server.detect.GramMatrix;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Points in R^m whose inner products are a given Gram matrix: Y = V·Λ^{1/2} from the eigendecomposition
 * K = V·Λ·Vᵀ (negative eigenvalues, which only rounding produces for a Gram matrix, are set to 0).
 * <p>Why: K-means needs only distances between points and means of points, and these are functions of the inner
 * products alone, so Lloyd's iterations and k-means++ seeding on Y are those on the original d-dimensional vectors
 * (up to rounding), while Y has m ≤ n columns instead of d (11 million for ResNet-18). This lets BADFL reuse the one
 * {@link org.badfl.server.detect.KMeans} on its unit-normalised updates without materialising them in double.
 */
final class GramEmbedding {

    private GramEmbedding() {
    }

    /**
     * Unit-normalised embedding: rows y_i with ⟨y_i, y_j⟩ = cos(v_i, v_j) (0 for a zero vector, which is embedded
     * at the origin, as {@link GramMatrix#cosine} treats it).
     *
     * @param gram    Gram matrix of all vectors (not modified)
     * @param indices which vectors to embed, in this order
     */
    static double[][] unitNormalised(GramMatrix gram, int[] indices) {
        int m = indices.length;
        double[][] k = new double[m][m];
        for (int a = 0; a < m; a++) {
            boolean zeroA = gram.squaredNorm(indices[a]) == 0;
            k[a][a] = zeroA ? 0 : 1.0;
            for (int b = 0; b < a; b++) {
                boolean zeroB = gram.squaredNorm(indices[b]) == 0;
                double c = zeroA || zeroB ? 0 : gram.cosine(indices[a], indices[b]);
                k[a][b] = c; // exactly symmetric, as the eigendecomposition requires
                k[b][a] = c;
            }
        }
        return embed(k);
    }

    /** Y with Y·Yᵀ ≈ K for a symmetric positive semi-definite K (m×m, not modified); m = 0 gives no rows. */
    static double[][] embed(double[][] k) {
        int m = k.length;
        if (m == 0) {
            return new double[0][];
        }
        // EJML's symmetric QR algorithm: eigenvectors orthonormal, eigenvalues real. The input copy may be overwritten.
        DMatrixRMaj matrix = new DMatrixRMaj(k);
        EigenDecomposition_F64<DMatrixRMaj> eigen = DecompositionFactory_DDRM.eig(m, true, true);
        if (!eigen.decompose(matrix)) {
            throw new ArithmeticException("eigendecomposition of the " + m + "x" + m
                    + " cosine Gram matrix did not converge (non-finite entries?)");
        }
        double[][] y = new double[m][m];
        for (int col = 0; col < m; col++) {
            double scale = Math.sqrt(Math.max(0.0, eigen.getEigenvalue(col).getReal()));
            DMatrixRMaj vector = eigen.getEigenVector(col);
            for (int row = 0; row < m; row++) {
                y[row][col] = vector.get(row, 0) * scale;
            }
        }
        return y;
    }
}
