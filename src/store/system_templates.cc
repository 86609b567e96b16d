#include "store/system_templates.h"

namespace floe::store {

const std::vector<SystemTemplateSpec>& SystemTemplates() {
  static const std::vector<SystemTemplateSpec> kAll = {
      {"00000000000000000000000000000360", "system-h264-360p", 640, 360, 800, 2, 64},
      {"00000000000000000000000000000540", "system-h264-540p", 960, 540, 1200, 2, 96},
      {"00000000000000000000000000000720", "system-h264-720p", 1280, 720, 2500, 3, 128},
      {"00000000000000000000000000001080", "system-h264-1080p", 1920, 1080, 4500, 3, 128},
      {"00000000000000000000000000000480", "system-h264-480p", 854, 480, 1200, 2, 96},
  };
  return kAll;
}

std::string SystemTemplateInsert(const SystemTemplateSpec& t) {
  std::string config =
      R"({"AudioParams":{"Bitrate":")" + std::to_string(t.audio_bitrate) +
      R"(","Channels":"2","Codec":"AAC","Profile":"aac_low","Samplerate":"44100"},)"
      R"("VideoParams":{"Bitrate":")" +
      std::to_string(t.bitrate) + R"(","Codec":"H.264","Fps":"30","Gop":"60","Height":")" +
      std::to_string(t.height) + R"(","Profile":")" + std::to_string(t.profile) + R"(","Width":")" +
      std::to_string(t.width) + R"("}})";
  return "INSERT INTO templates(template_id, account_id, name, type, category, video_codec, "
         "config, create_time) VALUES ('" +
         std::string(t.template_id) + "', '', '" + t.name + "', 'normal', 'system', 'H.264', '" +
         config + "', 1604880000000);\n";
}

}  // namespace floe::store
