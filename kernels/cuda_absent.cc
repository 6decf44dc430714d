// cuda::OpenDevice in a build without nvcc: the CUDA kernels were not
// compiled, so a `backend: cuda` model is refused with the reason.
#include "kernels/device.h"

namespace attestd::kernels::cuda {

absl::StatusOr<std::unique_ptr<Device>> OpenDevice() {
  return absl::UnavailableError(
      "this attestd was built without CUDA (nvcc was not found when it was configured, or ATTESTD_CUDA=OFF); "
      "rebuild on a machine with the CUDA toolkit, or serve the model with backend: cpu");
}

}  // namespace attestd::kernels::cuda
