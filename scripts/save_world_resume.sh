#!/bin/bash
# Usage: scripts/save_world_resume.sh [NAME] (default world-v3: the build of build/NAME).
# Restore in a fresh checkout of world-v3: git archive NAME-resume | tar -x (then rerun
# python -m world build --out build/NAME: it resumes from the latest checkpoints).
# Commit the build's minimal resume state to the orphan branch NAME-resume.
set -e
cd "$(git rev-parse --show-toplevel)"
N=${1:-world-v3}
S=/tmp/resume_stage; rm -rf $S; mkdir -p $S/build/world-ckpt/$N
cp -r build/$N $S/build/
cp build/world-ckpt/$N/stages.json $S/build/world-ckpt/$N/
for d in build/world-ckpt/$N/*/; do
  n=$(basename $d); mkdir -p $S/build/world-ckpt/$N/$n
  for f in latest.json trained.json misses.json; do [ -f $d/$f ] && cp $d/$f $S/build/world-ckpt/$N/$n/; done
  # a finished stage needs no weights (the staged model holds them)
  if [ -f $d/latest.json ] && [ ! -f $d/trained.json ]; then st=$(python3 -c "import json;print('%06d'%json.load(open('$d/latest.json'))['step'])"); cp $d/step_$st.* $S/build/world-ckpt/$N/$n/; fi
done
export GIT_INDEX_FILE=/tmp/resume_index; rm -f $GIT_INDEX_FILE
git --work-tree=$S add -f -A .
tree=$(git write-tree)

c=$(echo "$N build: resume state at $(date -u +%FT%TZ) (stages: $(tr -d '\n ' < $S/build/world-ckpt/$N/stages.json))" | git commit-tree $tree)
git update-ref refs/heads/$N-resume $c
du -sh $S; git log --oneline -1 $N-resume
