"""Reference values for CertifiedRadiusTest and SmoothingClassifierTest.hoeffdingHalfWidth:
run with `python3 crfl_bound_reference.py` (standard library; scipy's norm.cdf when installed).

CRFL's certified radius as AI-secure/CRFL `certify_mnist.py` `cal_prob_bound` computes it, re-typed with its
inputs as parameters (the reference reads them from its params.yaml and derives tau = 60000/N/n_B; here tau and
the rho schedule are given, as CertifiedRadiusTest passes them):

    RAD = sqrt( -ln(1 - (sqrt(pA) - sqrt(pB))^2) * sigma_train^2
                / [ 2 R tau^2 L_z^2 (sum_i p_i^2) gamma^2 eta^2 (q_B/n_B)^2
                    * prod_{t=t_adv+1}^{T-1} (2 Phi(rho_t/sigma_train) - 1) * (2 Phi(rho_T/sigma_test) - 1) ] ),
    L_z = sqrt(2 + 2 rho_adv + rho_adv^2)

with the test's parameters sigma_train 2.0, sigma_test 1.5, eta 0.05, T 10, R 4, q_B 16, n_B 32, gamma 5,
tau 12.5, rho_adv 3, p_i = 1/20, t_adv 5, rho_t = min(15, 0.1 t + 2), and the Hoeffding half-width
h = sqrt(ln(1/alpha) / (2M)) of the reference's `certify` (alpha 0.001, M 100). Prints each value next to the one
stored in the tests and exits 1 on any difference beyond the tests' tolerances.
"""
import math
import sys

try:
    from scipy.stats import norm

    def phi(x):
        return float(norm.cdf(x))
    PHI_SOURCE = "scipy.stats.norm.cdf"
except ImportError:  # the same function; scipy is what the reference uses
    def phi(x):
        return 0.5 * math.erfc(-x / math.sqrt(2))
    PHI_SOURCE = "0.5 erfc(-x / sqrt 2)"

SIGMA_TRAIN, SIGMA_TEST, ETA, T, R, Q_B, N_B, GAMMA, TAU, RHO_ADV = 2.0, 1.5, 0.05, 10, 4, 16, 32, 5, 12.5, 3
WEIGHTS = [1 / 20] * R
T_ADV = 5


def rho(t):
    return min(15, 0.1 * t + 2)


def contraction():
    c = 1.0
    for t in range(T_ADV + 1, T):
        c *= 2 * phi(rho(t) / SIGMA_TRAIN) - 1
    return c * (2 * phi(rho(T) / SIGMA_TEST) - 1)


def cal_prob_bound(pa, pb):
    if pa == 1.0:
        return math.inf  # the reference returns 100000
    l_z = math.sqrt(2 + 2 * RHO_ADV + RHO_ADV ** 2)
    weighted = sum(w ** 2 for w in WEIGHTS)
    fraction = -math.log(1 - (math.sqrt(pa) - math.sqrt(pb)) ** 2) * SIGMA_TRAIN ** 2
    denominator = 2 * R * TAU ** 2 * l_z ** 2 * weighted * GAMMA ** 2 * ETA ** 2 * (Q_B ** 2 / N_B ** 2)
    return math.sqrt(fraction / (denominator * contraction()))


def hoeffding(m, alpha):
    return math.sqrt(math.log(1 / alpha) / 2 / m)


def main():
    bad = 0

    def check(name, got, stored, tol):
        nonlocal bad
        ok = abs(got - stored) <= tol
        bad += not ok
        print(f"{name}: {'ok ' if ok else 'DIFF'} {got!r}" + ("" if ok else f" stored {stored!r}"))

    print(f"Phi = {PHI_SOURCE}")
    h = hoeffding(100, 0.001)
    check("SmoothingClassifierTest.hoeffdingHalfWidth h(100, 0.001)", h, 0.1858461094424919, 1e-15)
    check("CertifiedRadiusTest contraction", contraction(), 0.4530358969417421, 1e-13)
    check("CertifiedRadiusTest radius(0.9, 0.05)", cal_prob_bound(0.9, 0.05), 1.4084486029895136, 1e-12)
    check("CertifiedRadiusTest radius(0.87 - h, 0.08 + h)", cal_prob_bound(0.87 - h, 0.08 + h), 0.521037294223263,
          1e-12)
    check("CertifiedRadiusTest.phiIsTheNormalCdf Phi(1.96)", phi(1.96), 0.9750021048517795, 1e-15)
    print("all match" if bad == 0 else f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
