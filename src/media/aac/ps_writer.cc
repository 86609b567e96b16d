// ps_data() writer. Field order and widths follow 14496-3 Table 8.1 as FFmpeg 5.1's decoder
// reads them (ff_ps_read_data): header, frame class, envelopes, IID per envelope, ICC per envelope.
#include "media/aac/ps_writer.h"

#include <string>

#include "media/aac/ps_tables.h"

namespace floe::media::aac {
namespace {

core::Error Refuse(const std::string& field, const std::string& why) {
  return core::Error::InvalidParameter("Ps." + field, why);
}

const PsHuffTable& Table(PsParam param, bool dt) {
  if (param == PsParam::kIid) return GetPsHuffTable(dt ? PsHuff::kIidDt : PsHuff::kIidDf);
  return GetPsHuffTable(dt ? PsHuff::kIccDt : PsHuff::kIccDf);
}

bool InRange(PsParam param, int v) {
  return param == PsParam::kIid ? v >= -kIidMaxIndex && v <= kIidMaxIndex
                                : v >= 0 && v <= kIccMaxIndex;
}

// Bits of `values` coded against `previous` (time) or their lower neighbour (frequency, the
// first against 0); -1 if a delta is outside the table (only possible for corrupt input).
int CodedBits(PsParam param, bool dt, std::span<const int> values, std::span<const int> previous,
              BitWriter* out) {
  const PsHuffTable& t = Table(param, dt);
  int bits = 0, last = 0;
  for (size_t b = 0; b < values.size(); ++b) {
    const int delta = values[b] - (dt ? previous[b] : last);
    last = values[b];
    if (delta < -t.lav || delta > t.lav) return -1;
    const HuffCode& c = t.codes[static_cast<size_t>(delta + t.lav)];
    bits += c.length;
    if (out) out->Put(c.code, c.length);
  }
  return bits;
}

core::Result<void> CheckEnvelope(PsParam param, std::span<const int> values, int bands) {
  const char* name = param == PsParam::kIid ? "Iid" : "Icc";
  if (static_cast<int>(values.size()) != bands)
    return Refuse(name, "needs one value per band (" + std::to_string(bands) + ")");
  for (int v : values) {
    if (!InRange(param, v))
      return Refuse(
          name, std::to_string(v) + (param == PsParam::kIid ? " is not -7..7" : " is not 0..7"));
  }
  return core::Ok();
}

}  // namespace

core::Result<PsDeltaChoice> ChoosePsDeltas(PsParam param, std::span<const int> values,
                                           std::span<const int> previous) {
  for (int v : values) {
    if (!InRange(param, v)) return Refuse(param == PsParam::kIid ? "Iid" : "Icc", "out of range");
  }
  PsDeltaChoice best{false, CodedBits(param, false, values, {}, nullptr)};
  if (previous.size() == values.size()) {
    for (int v : previous) {
      if (!InRange(param, v)) return best;  // a decoder could not hold it either
    }
    const int dt = CodedBits(param, true, values, previous, nullptr);
    if (dt >= 0 && dt < best.bits) best = {true, dt};
  }
  return best;
}

core::Result<void> ChoosePsCoding(PsFrame& f, bool time_from_previous_frame) {
  f.iid_dt.assign(f.iid.size(), false);
  f.icc_dt.assign(f.icc.size(), false);
  auto choose = [&](PsParam param, const std::vector<std::vector<int>>& env,
                    const std::vector<int>& prev, std::vector<bool>& dt) -> core::Result<void> {
    for (size_t e = 0; e < env.size(); ++e) {
      std::span<const int> previous;
      if (e > 0) {
        previous = env[e - 1];
      } else if (time_from_previous_frame) {
        previous = prev;
      }
      auto c = ChoosePsDeltas(param, env[e], previous);
      if (!c) return c.error();
      dt[e] = c->dt;
    }
    return core::Ok();
  };
  if (auto ok = choose(PsParam::kIid, f.iid, f.prev_iid, f.iid_dt); !ok) return ok;
  return choose(PsParam::kIcc, f.icc, f.prev_icc, f.icc_dt);
}

core::Result<void> WritePsData(const PsFrame& f, BitWriter& w) {
  if (f.bands != 10 && f.bands != 20) return Refuse("Bands", "must be 10 or 20");
  const size_t envs = f.iid.size();
  if (envs != 1 && envs != 2 && envs != 4) return Refuse("Envelopes", "FIX class: 1, 2 or 4");
  if (f.icc.size() != envs || f.iid_dt.size() != envs || f.icc_dt.size() != envs)
    return Refuse("Envelopes", "IID, ICC and their dt flags need one entry per envelope");
  for (size_t e = 0; e < envs; ++e) {
    if (auto ok = CheckEnvelope(PsParam::kIid, f.iid[e], f.bands); !ok) return ok;
    if (auto ok = CheckEnvelope(PsParam::kIcc, f.icc[e], f.bands); !ok) return ok;
  }
  if (f.iid_dt[0] && static_cast<int>(f.prev_iid.size()) != f.bands)
    return Refuse("PrevIid", "time deltas on envelope 0 need the previous frame's IID");
  if (f.icc_dt[0] && static_cast<int>(f.prev_icc.size()) != f.bands)
    return Refuse("PrevIcc", "time deltas on envelope 0 need the previous frame's ICC");

  const int mode = f.bands == 10 ? 0 : 1;  // coarse quantisation, 10 or 20 bands
  w.PutBit(f.send_header);                 // enable_ps_header
  if (f.send_header) {
    w.PutBit(true);   // enable_iid
    w.Put(mode, 3);   // iid_mode
    w.PutBit(true);   // enable_icc
    w.Put(mode, 3);   // icc_mode
    w.PutBit(false);  // enable_ext: no IPD/OPD
  }
  w.PutBit(false);                              // frame_class FIX
  w.Put(envs == 1 ? 1 : envs == 2 ? 2 : 3, 2);  // num_env_idx (FIX: 0, 1, 2, 4 envelopes)
  auto put = [&](PsParam param, const std::vector<std::vector<int>>& env,
                 const std::vector<int>& prev, const std::vector<bool>& dt) -> core::Result<void> {
    for (size_t e = 0; e < envs; ++e) {
      w.PutBit(dt[e]);  // iid_dt / icc_dt
      std::span<const int> previous = e > 0 ? std::span<const int>(env[e - 1]) : prev;
      if (CodedBits(param, dt[e], env[e], previous, &w) < 0)
        return Refuse(param == PsParam::kIid ? "Iid" : "Icc", "delta beyond the table");
    }
    return core::Ok();
  };
  if (auto ok = put(PsParam::kIid, f.iid, f.prev_iid, f.iid_dt); !ok) return ok;
  return put(PsParam::kIcc, f.icc, f.prev_icc, f.icc_dt);
}

int PsBudgetBitsPerFrame(int bands, int envelopes) {
  PsFrame flat;
  flat.bands = bands;
  flat.iid.assign(envelopes, std::vector<int>(bands, 0));
  flat.icc.assign(envelopes, std::vector<int>(bands, 0));
  flat.iid_dt.assign(envelopes, false);
  flat.icc_dt.assign(envelopes, false);
  BitWriter w;
  if (!WritePsData(flat, w).ok()) return 0;
  // Flat parameters cost a bit each. A frame's first envelope costs about one more per band
  // (panned noise: a first IID code then zeros; wide noise: +-1 IID steps of 3 bits, ICC mostly
  // flat); later ones repeat it in time at about the flat cost. Extension framing:
  // bs_extension_size 4 (+ esc 8), id 2, up to 7 fill bits.
  return static_cast<int>(w.bits()) + bands + 4 + 8 + 2 + 7;
}

}  // namespace floe::media::aac
