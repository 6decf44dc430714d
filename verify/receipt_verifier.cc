#include "verify/receipt_verifier.h"

#include <functional>

#include "verify/receipt_ledger_check.h"
#include "attest/secp256k1_signer.h"
#include "attest/sha256.h"

namespace attestd {
namespace {

CheckResult Pass(std::string name, std::string detail) {
  return {std::move(name), CheckOutcome::kPass, std::move(detail)};
}
CheckResult Fail(std::string name, std::string detail) {
  return {std::move(name), CheckOutcome::kFail, std::move(detail)};
}
CheckResult Skip(std::string name, std::string detail) {
  return {std::move(name), CheckOutcome::kSkipped, std::move(detail)};
}

CheckResult CheckCommitment(const char* name, const std::optional<Salt32>& salt, bool have_plaintext,
                            const char* plaintext_name, const Digest32& committed,
                            const std::function<Digest32(const Salt32&)>& recompute) {
  if (!have_plaintext) return Skip(name, std::string("no ") + plaintext_name + " given");
  if (!salt) {
    return Fail(name, std::string("the receipt has no salt, so the ") + plaintext_name +
                          " cannot be checked against the commitment");
  }
  Digest32 recomputed = recompute(*salt);
  if (recomputed != committed) {
    return Fail(name, std::string("recomputed from the ") + plaintext_name + ": got " + HexEncode(recomputed) +
                          ", statement has " + HexEncode(committed));
  }
  return Pass(name, "matches " + HexEncode(committed));
}

}  // namespace

bool VerificationReport::verified() const {
  const CheckResult* sig = find("signature");
  return sig != nullptr && sig->outcome == CheckOutcome::kPass && first_failure() == nullptr;
}

const CheckResult* VerificationReport::first_failure() const {
  for (const CheckResult& c : checks) {
    if (c.outcome == CheckOutcome::kFail) return &c;
  }
  return nullptr;
}

const CheckResult* VerificationReport::find(std::string_view name) const {
  for (const CheckResult& c : checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string VerificationReport::ToText() const {
  std::string out;
  for (const CheckResult& c : checks) {
    const char* tag = c.outcome == CheckOutcome::kPass ? "PASS" : c.outcome == CheckOutcome::kFail ? "FAIL" : "SKIP";
    out += std::string(tag) + " " + c.name + ": " + c.detail + "\n";
  }
  return out;
}

VerificationReport VerifyReceipt(const Receipt& receipt, const ReceiptVerifyInputs& inputs) {
  VerificationReport report;
  const AttestationStatement& stmt = receipt.statement;

  absl::Status sig = VerifyAttestation(stmt, receipt.signature, receipt.attestor);
  report.checks.push_back(sig.ok() ? Pass("signature", "signed by " + ToChecksumAddress(receipt.attestor))
                                   : Fail("signature", std::string(sig.message())));

  if (!inputs.expected_attestor) {
    report.checks.push_back(Skip("attestor", "no expected attestor given; the receipt names " +
                                                 ToChecksumAddress(receipt.attestor)));
  } else if (*inputs.expected_attestor != receipt.attestor) {
    report.checks.push_back(Fail("attestor", "receipt names " + ToChecksumAddress(receipt.attestor) +
                                                 ", expected " + ToChecksumAddress(*inputs.expected_attestor)));
  } else {
    report.checks.push_back(Pass("attestor", ToChecksumAddress(receipt.attestor)));
  }

  report.checks.push_back(CheckCommitment(
      "input_commitment", receipt.salt, inputs.request != nullptr, "request", stmt.input_commitment,
      [&](const Salt32& salt) { return InputCommitment(salt, *inputs.request); }));
  report.checks.push_back(CheckCommitment(
      "output_commitment", receipt.salt, inputs.response != nullptr, "response", stmt.output_commitment,
      [&](const Salt32& salt) { return OutputCommitment(salt, *inputs.response); }));

  if (inputs.request == nullptr) {
    report.checks.push_back(Skip("model_name", "no request given"));
  } else if (inputs.request->model_name != receipt.model_name) {
    report.checks.push_back(Fail("model_name", "request names \"" + inputs.request->model_name +
                                                   "\", receipt names \"" + receipt.model_name + "\""));
  } else {
    report.checks.push_back(Pass("model_name", "\"" + receipt.model_name + "\""));
  }

  for (CheckResult& c : CheckLedgerEvidence(receipt, inputs.log_verifier_key)) {
    report.checks.push_back(std::move(c));
  }
  return report;
}

}  // namespace attestd
