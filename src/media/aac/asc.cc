#include "media/aac/asc.h"

#include <array>
#include <string>

#include "media/aac/bit_writer.h"

namespace floe::media::aac {
namespace {

using core::Error;

constexpr std::array<int, 13> kRates = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                        22050, 16000, 12000, 11025, 8000,  7350};
constexpr int kAotLc = 2;
constexpr int kAotSbr = 5;
constexpr int kAotErLd = 23;
constexpr int kAotPs = 29;

// Floe's streams have at most one channel element (ICE allows 1 or 2 channels, and the SBR
// splice can only follow the last element), so only configurations 1 and 2 are written.
core::Result<int> ChannelConfig(int channels) {
  if (channels != 1 && channels != 2)
    return Error::InvalidParameter(
        "AudioParams.Channels",
        "AAC configurations are written for 1 or 2 channels, not " + std::to_string(channels));
  return channels;
}

// GASpecificConfig of a core with a channel configuration (so no program_config_element).
void PutGaSpecificConfig(BitWriter& w, int aot, bool frame_length_flag) {
  w.PutBit(frame_length_flag);
  w.PutBit(false);  // dependsOnCoreCoder
  bool er = aot == kAotErLd;
  w.PutBit(er);  // extensionFlag: ER object types carry the resilience flags below
  if (er) {
    // aacSectionDataResilienceFlag, aacScalefactorDataResilienceFlag,
    // aacSpectralDataResilienceFlag: FFmpeg 5.1 refuses "AAC data resilience" when any is set.
    w.Put(0, 3);
    w.PutBit(false);  // extensionFlag3
  }
}

std::vector<uint8_t> Finish(BitWriter& w) {
  w.AlignZero();
  return w.data();
}

}  // namespace

core::Result<int> SamplingFrequencyIndex(int rate) {
  for (size_t i = 0; i < kRates.size(); ++i)
    if (kRates[i] == rate) return static_cast<int>(i);
  return Error::InvalidParameter("AudioParams.SampleRate",
                                 std::to_string(rate) +
                                     " Hz has no AAC sampling frequency index (allowed: 96000, "
                                     "88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, "
                                     "12000, 11025, 8000, 7350)");
}

core::Result<int> SamplingFrequency(int index) {
  if (index < 0 || index >= static_cast<int>(kRates.size()))
    return Error::InvalidParameter(
        "AudioParams.SampleRate",
        "sampling frequency index " + std::to_string(index) + " is not 0..12");
  return kRates[static_cast<size_t>(index)];
}

core::Result<std::vector<uint8_t>> LcConfig(int rate, int channels) {
  auto index = SamplingFrequencyIndex(rate);
  if (!index) return index.error();
  auto config = ChannelConfig(channels);
  if (!config) return config.error();
  BitWriter w;
  w.Put(kAotLc, 5);
  w.Put(static_cast<uint32_t>(*index), 4);
  w.Put(static_cast<uint32_t>(*config), 4);
  PutGaSpecificConfig(w, kAotLc, false);
  return Finish(w);
}

namespace {

// The sampling frequency indexes of an SBR stream: the core's (half the output rate) and the
// output's.
struct SbrRateIndexes {
  uint32_t core = 0;
  uint32_t output = 0;
};
core::Result<SbrRateIndexes> SbrRates(int output_rate) {
  if (output_rate % 2 != 0)
    return Error::InvalidParameter(
        "AudioParams.SampleRate",
        "HE-AAC needs an even output rate, not " + std::to_string(output_rate));
  auto core_index = SamplingFrequencyIndex(output_rate / 2);
  if (!core_index) return core_index.error();
  auto ext_index = SamplingFrequencyIndex(output_rate);
  if (!ext_index) return ext_index.error();
  return SbrRateIndexes{static_cast<uint32_t>(*core_index), static_cast<uint32_t>(*ext_index)};
}

// The explicit hierarchical form (AOT 5 or 29 first): what libfdk_aac writes with a global
// header, and what FFmpeg decodes from FLV and MP4 at the output rate (AAC-NOTES 1.8).
core::Result<std::vector<uint8_t>> HierarchicalSbrConfig(int aot, int output_rate, int channels) {
  auto rates = SbrRates(output_rate);
  if (!rates) return rates.error();
  auto config = ChannelConfig(channels);
  if (!config) return config.error();
  BitWriter w;
  w.Put(static_cast<uint32_t>(aot), 5);
  w.Put(rates->core, 4);
  w.Put(static_cast<uint32_t>(*config), 4);
  w.Put(rates->output, 4);
  w.Put(kAotLc, 5);
  PutGaSpecificConfig(w, kAotLc, false);
  return Finish(w);
}

}  // namespace

core::Result<std::vector<uint8_t>> HeConfig(int output_rate, int channels) {
  return HierarchicalSbrConfig(kAotSbr, output_rate, channels);
}

core::Result<std::vector<uint8_t>> HeV2Config(int output_rate) {
  // Parametric stereo rides on a mono core; the decoder makes the two channels.
  return HierarchicalSbrConfig(kAotPs, output_rate, 1);
}

core::Result<std::vector<uint8_t>> HeMonoConfig(int output_rate) {
  auto rates = SbrRates(output_rate);
  if (!rates) return rates.error();
  BitWriter w;
  w.Put(kAotLc, 5);
  w.Put(rates->core, 4);
  w.Put(1, 4);  // channel configuration: mono
  PutGaSpecificConfig(w, kAotLc, false);
  w.Put(0x2b7, 11);  // syncExtensionType: an SBR extension follows
  w.Put(kAotSbr, 5);
  w.PutBit(true);  // sbrPresentFlag
  w.Put(rates->output, 4);
  w.Put(0x548, 11);  // syncExtensionType: parametric stereo signalling follows
  w.PutBit(false);   // psPresentFlag: a mono stream, decoded as one channel
  return Finish(w);
}

core::Result<std::vector<uint8_t>> LdConfig(int rate, int channels, int frame_length) {
  if (frame_length != 512 && frame_length != 480)
    return Error::InvalidParameter(
        "AudioParams.FrameLength",
        "AAC-LD frames are 512 or 480 samples, not " + std::to_string(frame_length));
  auto index = SamplingFrequencyIndex(rate);
  if (!index) return index.error();
  auto config = ChannelConfig(channels);
  if (!config) return config.error();
  BitWriter w;
  w.Put(kAotErLd, 5);
  w.Put(static_cast<uint32_t>(*index), 4);
  w.Put(static_cast<uint32_t>(*config), 4);
  PutGaSpecificConfig(w, kAotErLd, frame_length == 480);
  w.Put(0, 2);  // epConfig: no error protection (FFmpeg 5.1 supports no other)
  return Finish(w);
}

}  // namespace floe::media::aac
