// The shared audio stage: one audio encode for every rendition with the same audio settings.
#include "media/stages.h"

namespace floe::media {

core::Result<std::shared_ptr<AudioStage>> AudioStage::Open(const AudioSettings& settings) {
  std::shared_ptr<AudioStage> stage(new AudioStage());
  auto e = Encoder::OpenAudio(settings);
  if (!e) return e.error();
  stage->enc_ = std::move(*e);
  stage->conv_ = std::make_unique<AudioConverter>(stage->enc_->context());
  stage->key_ = Key(settings);
  return stage;
}

std::string AudioStage::Key(const AudioSettings& s) {
  return s.encoder + "/" + std::to_string(s.bitrate) + "/" + std::to_string(s.sample_rate) + "/" +
         std::to_string(s.channels) + "/" + std::to_string(s.aac_profile);
}

void AudioStage::Subscribe(Rendition* r) {
  std::lock_guard lock(mu_);
  subscribers_.push_back(r);
}

void AudioStage::Unsubscribe(Rendition* r) {
  std::lock_guard lock(mu_);  // a delivery in flight holds it
  std::erase(subscribers_, r);
}

size_t AudioStage::subscribers() {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

void AudioStage::Run(const FailFn& fail) {
  auto deliver = [&](AVPacket* p) {
    std::lock_guard lock(mu_);
    for (Rendition* r : subscribers_) r->DeliverAudio(p, enc_->time_base());
  };
  auto encode = [&](AVFrame* f) {
    if (auto r = enc_->Encode(f, deliver); !r) fail(r.error());
  };
  while (auto it = in_.Pop()) {
    if (it->slate) {
      conv_->SilenceUntil(it->t_us, encode);
    } else if (it->frame && !it->video) {
      conv_->Push(it->frame.get(), it->t_us, encode);
    }
    silence_ms_ = conv_->inserted_ms();
  }
  conv_->Flush(encode);
  if (auto r = enc_->Encode(nullptr, deliver); !r) fail(r.error());
  silence_ms_ = conv_->inserted_ms();
  std::lock_guard lock(mu_);
  done_ = true;
  done_cv_.notify_all();
}

void AudioStage::Wait() {
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [&] { return done_; });
}

}  // namespace floe::media
