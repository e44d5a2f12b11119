module.exports = {
  displayName: 'messaging-kafka',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
