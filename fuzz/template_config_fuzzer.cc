// TemplateConfig text as a client sends it: parse, merge onto a stored template, validate for
// every Type, render and read back.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/json.h"
#include "ice/template_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  (void)floe::core::ParseJson(in);
  auto patch = floe::ice::ParseTemplateConfig(in);
  if (!patch) {
    if (patch.error().message.size() > 400) abort();  // never an echo of the input
    return 0;
  }
  floe::ice::ConfigLeaves stored = {{"VideoParams.Height", "720"},
                                    {"VideoParams.Fps", "30"},
                                    {"VideoParams.Bitrate", "2500"},
                                    {"AudioParams.Codec", "AAC"},
                                    {"AudioParams.Profile", "aac_low"}};
  auto merged = floe::ice::ApplyPatch(stored, *patch);
  for (const char* type : {"normal", "narrow-band", "audio-only", "origin"}) {
    (void)floe::ice::ValidateTemplate(type, merged);
  }
  std::string text = floe::ice::RenderConfig(merged);
  if (floe::ice::LeavesFromStored(text) != merged) abort();
  return 0;
}
